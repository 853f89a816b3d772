#!/usr/bin/env python
"""Django's usual entry point; `./manage.py X` is the same as `jpoa X`."""

from jpoa.cli import main

if __name__ == "__main__":
    main()
