"""exorag: cited question answering over exosome-mediated chemoresistance literature.

Public surface: ``Settings``, ``Assistant`` (search and answer over the current index) and ``ingest``.
"""

from rag.settings import Settings

__all__ = ["Settings"]
__version__ = "0.1.0"
