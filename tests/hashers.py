"""The site's password hasher at the lowest cost Argon2 allows, for tests only.

Signing in checks the password with the cost recorded in its hash. At the site's cost a
check takes 0.3-0.4 s, made to be slow for a guesser; the suite signs in hundreds of
times and would spend a minute on it. The algorithm, the hash's format and every code
path are the site's own; only the work factor is smaller.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8  # KiB, Argon2's minimum for one lane
    parallelism = 1
