__version__ = "0.2.0"
# Version of the stream contract (docs/stream.md): changes only when output bytes change.
STREAM_VERSION = 2
