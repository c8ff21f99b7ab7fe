"""``python -m fitdoctor``: the same command line as the ``fitdoctor`` script."""

from fitdoctor.cli import main

if __name__ == "__main__":
    main()
