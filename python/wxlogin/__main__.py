"""`python -m wxlogin ...` runs the packaged binary, for when the scripts folder is not on PATH."""

import subprocess
import sys

from wxlogin import binary_path


def main() -> int:
    return subprocess.call([binary_path(), *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
