"""Entry point of ./grader (the course staff's tool), started as `python -I source/staff`."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from staff.tool import main  # noqa: E402

sys.exit(main())
