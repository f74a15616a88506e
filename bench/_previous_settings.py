"""The set-up before issue 8, for the ratio of ``bench.training_load``: Django's own Argon2
parameters (m=100 MiB, t=2, p=8). The number of workers is given on uvicorn's command line."""

from relais.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
