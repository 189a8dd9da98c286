"""What pyproject.toml cannot declare: the translation gate's optional compiled steps (olxkit/i18n/speedups.c).

Optional: where no C compiler is found the install goes on without it, and olxkit runs the steps' pure-Python
twins, which give the same results (docs/decisions.md, "The gate's per-text steps, compiled").
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("olxkit.i18n.speedups", ["olxkit/i18n/speedups.c"], optional=True)])
