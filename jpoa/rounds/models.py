"""Update rounds: organisations confirm or correct their rows of the matrix."""
