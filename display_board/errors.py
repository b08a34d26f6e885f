"""What can go wrong on a board, none of it shown to the hall as a traceback.

BoardError
 └─ VoiceUnavailable   the server's audio could not be fetched (the chime still plays,
                       or nothing: the board keeps showing calls either way)
"""

from __future__ import annotations


class BoardError(Exception):
    pass


class VoiceUnavailable(BoardError):
    pass
