"""What a worker may read: the standard library and the one package graded code may import.

Graded code may import numpy and the Python standard library, nothing else. As root, numpy is
copied once into a machine-wide folder outside every checkout (RUNTIME_ROOT), readable by the
sandbox users; the fork server imports numpy from there, so a worker never needs anything from
the grader's checkout, which is then closed to other users entirely (mode 0700): the reference,
the tests, selftests/, dist/, and whatever appears there later. As an ordinary user there is no
other user to hide from: numpy comes from the virtual environment, and Landlock (where the kernel
has it) lets a worker read numpy's folders and nothing else of that environment.

Trusted side only; `python -I source/autograder/sandbox/runtime.py` installs the copy (setup.sh).
"""
import compileall
import dataclasses
import hashlib
import os
import shutil
import sys
import sysconfig
import tempfile

RUNTIME_ROOT = "/var/lib/autograder-sandbox"
PACKAGES = ("numpy", "numpy.libs")  # numpy.libs: the BLAS that manylinux wheels bundle
LAYOUT = b"2: bytecode compiled"  # what install() puts in a folder; a new layout gets a new folder


@dataclasses.dataclass
class Runtime:
    packages: str   # the folder on a worker's sys.path where numpy is found
    readable: list  # every folder or file a worker may read (the Landlock allow-list)
    shared: bool    # True: a machine-wide copy outside the checkout (root)


def stdlib_paths():
    """The standard library's folders (and zip), as the interpreter itself finds them."""
    paths = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix,
                                      "installed_base": sys.base_prefix, "installed_platbase": sys.base_exec_prefix})
    found = [os.path.join(sys.base_prefix, "lib", f"python{sys.version_info.major}{sys.version_info.minor}.zip"),
             paths["stdlib"], paths["platstdlib"], os.path.join(paths["platstdlib"], "lib-dynload")]
    return list(dict.fromkeys(p for p in found if os.path.exists(p)))


def source_packages():
    """The site-packages folder this interpreter imports numpy from."""
    import numpy
    return os.path.dirname(os.path.dirname(os.path.abspath(numpy.__file__)))


def shared_folder(site=None):
    """Where the machine-wide copy for this Python and this numpy build lives."""
    site = site or source_packages()
    import numpy
    with open(os.path.join(site, "numpy", "__init__.py"), "rb") as init:
        digest = hashlib.sha256(init.read() + numpy.__version__.encode() + sys.version.encode() + LAYOUT)
    build = digest.hexdigest()[:12]
    name = f"python{sys.version_info.major}.{sys.version_info.minor}-numpy{numpy.__version__}-{build}"
    return os.path.join(RUNTIME_ROOT, name, "site-packages")


def install(site=None):
    """As root: copy numpy to the machine-wide folder unless it is there; return that folder.

    Copied into a temporary folder and renamed, so a folder that exists is complete, and any
    number of checkouts and graders can call this at once. The copy is compiled to bytecode there:
    the fork server runs with -B and cannot write it, and compiling numpy at every start of a
    fork server cost each grading about a quarter of a CPU second.
    """
    site = site or source_packages()
    target = shared_folder(site)
    if os.path.isdir(target):
        return target
    os.makedirs(os.path.dirname(os.path.dirname(target)), mode=0o755, exist_ok=True)
    os.chmod(RUNTIME_ROOT, 0o755)
    staging = tempfile.mkdtemp(prefix=".staging-", dir=RUNTIME_ROOT)
    try:
        for package in PACKAGES:
            if os.path.isdir(os.path.join(site, package)):
                shutil.copytree(os.path.join(site, package), os.path.join(staging, "site-packages", package),
                                ignore=shutil.ignore_patterns("__pycache__"))
        compileall.compile_dir(os.path.join(staging, "site-packages"), quiet=2, workers=1)
        _open_to_all(staging)
        try:
            os.rename(staging, os.path.dirname(target))
        except OSError:
            if not os.path.isdir(target):  # not another grader's copy that won the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def locate(as_root):
    """The runtime a worker uses: the shared copy as root (installed if missing), else the venv's."""
    stdlib = stdlib_paths()
    if as_root:
        packages = install()
        return Runtime(packages, stdlib + [packages], shared=True)
    site = source_packages()
    return Runtime(site, stdlib + [os.path.join(site, p) for p in PACKAGES if os.path.exists(os.path.join(site, p))],
                   shared=False)


def _open_to_all(top):
    """Folders 0755 and files 0644 (0755 if executable), owned by root: readable by the sandbox users."""
    for folder, dirs, files in os.walk(top):
        os.chmod(folder, 0o755)
        for name in files:
            path = os.path.join(folder, name)
            os.chmod(path, 0o755 if os.stat(path).st_mode & 0o111 else 0o644)


if __name__ == "__main__":
    print(install())
