"""What pyproject.toml cannot declare: the optional compiled steps of the translation gate (olxkit/i18n/speedups.c)
and of reading a catalog for a build (olxkit/i18n/poscan.c).

Optional: where no C compiler is found the install goes on without it, and olxkit runs the steps' pure-Python
twins, which give the same results (docs/decisions.md, "The gate's per-text steps, compiled").
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("olxkit.i18n.speedups", ["olxkit/i18n/speedups.c"], optional=True),
                   Extension("olxkit.i18n.poscan", ["olxkit/i18n/poscan.c"], optional=True)])
