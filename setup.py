"""Package list for setuptools; everything else is in pyproject.toml.

The talks stay in the top-level knowledge/ folder and are installed as the data-only package
bot.talks (mapped in pyproject.toml), so an installed bot answers outside a checkout.
pyproject.toml cannot list found packages and a mapped one together; this can.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["bot", "bot.*"]), "bot.talks"])
