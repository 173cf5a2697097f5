"""Raw outcomes on disk: what a grading run found, before the rubric turned it into points.

A record is enough to rebuild results.json with another rubric (./grader rescore) without
running any student code again, and it is what the class report reads.
"""
import dataclasses
import json
import os

from autograder.discovery import Discovery
from autograder.plugin import Outcome

VERSION = 1


@dataclasses.dataclass
class Record:
    discovery: Discovery
    outcomes: list
    isolation: str
    seconds: float
    limited: dict = None  # the results written instead of grading (over the submission limit)


def save(record, path):
    data = {"version": VERSION, "discovery": dataclasses.asdict(record.discovery),
            "outcomes": [dataclasses.asdict(o) for o in record.outcomes],
            "isolation": record.isolation, "seconds": record.seconds, "limited": record.limited}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as stream:
        stream.write(json.dumps(data))  # dumps runs in C; dump to a stream would run in Python
    os.replace(path + ".tmp", path)


def load(path):
    with open(path, encoding="utf-8") as stream:
        data = json.load(stream)
    if data.get("version") != VERSION:
        raise ValueError(f"{path}: record version {data.get('version')}, expected {VERSION}")
    return Record(Discovery(**data["discovery"]), [Outcome(**o) for o in data["outcomes"]],
                  data["isolation"], data["seconds"], data.get("limited"))
