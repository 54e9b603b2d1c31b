"""``python -m render``: a schedule as a GIF, PNG, SVG, PDF, CSV or JSON file (see ``render.cli``)."""

from render.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
