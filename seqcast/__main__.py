"""python -m seqcast: the `seqcast` command."""

from .cli import main

main()
