"""``python -m periscolaire``: the same as the ``periscolaire`` command."""

from periscolaire.cli import main

raise SystemExit(main())
