"""The desk's commands and their keys: F1–F11 on the keyboard, and the digits of the
numeric keypad, which is what a USB calling keypad types (NumLock on)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QKeySequence

from counter_client.texts import N_


class Command(StrEnum):
    CALL_NEXT = "call_next"
    RECALL = "recall"
    NO_SHOW = "no_show"
    COMPLETE = "complete"
    TRANSFER = "transfer"
    PAUSE = "pause"  # toggles: Tạm ngưng / Tiếp tục
    WALK_IN = "walk_in"
    CALL_CHOSEN = "call_chosen"
    COMPACT = "compact"  # toggles the always-on-top bar
    UNDO_NO_SHOW = "undo_no_show"  # for a few minutes after a no-show
    REQUEUE = "requeue"  # a late citizen back in the queue


@dataclass(frozen=True, slots=True)
class Binding:
    command: Command
    label: str  # msgid
    function_key: Qt.Key
    keypad: tuple[Qt.Key, ...]

    def sequences(self) -> list[QKeySequence]:
        keys = [QKeySequence(self.function_key)]
        keys += [
            QKeySequence(QKeyCombination(Qt.KeyboardModifier.KeypadModifier, k))
            for k in self.keypad
        ]
        return keys

    def hint(self) -> str:
        """The main keys, as printed on the button: "F1 · Num 1" (docs/counter.md lists all)."""
        parts = [QKeySequence(self.function_key).toString()]
        parts += [f"Num {QKeySequence(k).toString()}" for k in self.keypad[:1]]
        return " · ".join(parts)


BINDINGS: tuple[Binding, ...] = (
    Binding(Command.CALL_NEXT, N_("Call next"), Qt.Key.Key_F1, (Qt.Key.Key_1, Qt.Key.Key_Enter)),
    Binding(Command.RECALL, N_("Recall"), Qt.Key.Key_F2, (Qt.Key.Key_2, Qt.Key.Key_Plus)),
    Binding(Command.NO_SHOW, N_("No-show"), Qt.Key.Key_F3, (Qt.Key.Key_3,)),
    Binding(Command.COMPLETE, N_("Complete"), Qt.Key.Key_F4, (Qt.Key.Key_4,)),
    Binding(Command.TRANSFER, N_("Transfer"), Qt.Key.Key_F5, (Qt.Key.Key_5,)),
    Binding(Command.PAUSE, N_("Pause"), Qt.Key.Key_F6, (Qt.Key.Key_6,)),
    Binding(Command.WALK_IN, N_("Citizen without a ticket"), Qt.Key.Key_F7, (Qt.Key.Key_7,)),
    Binding(Command.CALL_CHOSEN, N_("Call the chosen number"), Qt.Key.Key_F8, (Qt.Key.Key_8,)),
    Binding(Command.COMPACT, N_("Compact bar"), Qt.Key.Key_F9, (Qt.Key.Key_0,)),
    Binding(Command.UNDO_NO_SHOW, N_("Undo no-show"), Qt.Key.Key_F10, (Qt.Key.Key_9,)),
    Binding(
        Command.REQUEUE, N_("Late citizen back in the queue"), Qt.Key.Key_F11, (Qt.Key.Key_Minus,)
    ),
)
