"""`python -m catalog_ui <command>`: see catalog_ui.cli."""

from catalog_ui.cli import main

raise SystemExit(main())
