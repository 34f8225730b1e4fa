"""``python -m cbe_bridge`` runs the command-line interface."""

from cbe_bridge.cli import main

if __name__ == "__main__":
    main()
