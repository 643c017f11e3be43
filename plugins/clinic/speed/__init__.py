"""Speed that pays for itself in make bench: the parallel read and write, and the dev server's incremental rebuild."""
