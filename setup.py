"""Build hook: ship the repository's ``policies/`` tree inside the wheel.

The bundled policies live at the top of the repository so that policy authors find them
first; a wheel needs them inside the package, where ``Engine.default()`` looks.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithPolicies(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).parent / "policies"
        if source.is_dir():
            target = Path(self.build_lib) / "govrules" / "policies"
            shutil.copytree(source, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithPolicies})
