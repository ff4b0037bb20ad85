"""The associative data model: symbol tables, tables, key fields, selection states, inference.

Pure numpy (plus pyarrow for hashing values into symbols). Never imports protocol, session,
api or server: everything here is usable without a socket.
"""

from openqix.engine.model import Column, DataModel, Field, LoadedTable, Table
from openqix.engine.symbols import SymbolTable

__all__ = ["Column", "DataModel", "Field", "LoadedTable", "SymbolTable", "Table"]
