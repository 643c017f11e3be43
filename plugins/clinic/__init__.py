from .plugin import register  # noqa: F401
from .run import run  # noqa: F401
from .state import Build, Session  # noqa: F401
