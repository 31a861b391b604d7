"""Where the program's state lives: SQLAlchemy 2 models, repositories and the unit of work.

SQLite (WAL, foreign keys, a busy timeout) is the embedded default; PostgreSQL is the
production store and what lets several replicas share the dispatcher. Repositories translate
between rows and the plain dataclasses of ``bot.domain``, so the core never sees SQL.
"""

from storage.database import Database, connect
from storage.unit_of_work import SqlUnitOfWork

__all__ = ["Database", "SqlUnitOfWork", "connect"]
