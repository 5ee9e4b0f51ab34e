"""`python -m parrules.cli`: the `parrules` command."""

import sys

from parrules.cli.main import main

sys.exit(main())
