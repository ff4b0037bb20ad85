"""One module per QIX class. The only place with protocol-cased names (GetLayout): each method
binds its parameters, calls into the engine and shapes the result. No algorithms live here."""
