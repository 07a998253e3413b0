"""`KeyGate`: the keys, one at a time, each acting on the state the key before it left.

Textual hands a key to the focused widget through that widget's message queue, and checks the
bindings only once the key has bubbled back up to the app, several queue hops later; a focus
change an action asks for comes later still (`Widget.focus` is a `call_later`). Keys that arrive
in one burst (one write of a laggy SSH link, a held arrow key) are therefore all handed to the
widget that had the focus when the first one came: "down right" on the loss field changed the
loss instead of the optimizer, and "7 8 backspace 9 enter" on the layer list gave 78.

So the app gives every key the terminal sends to the gate (`holds`). A key that finds nothing
before it goes on at once; the next one waits until the app has settled after it: the nodes on
the key's way (the focused widget and its ancestors, up to the app) and on the focus's new way
have worked through their queues (rounds of `call_later` barriers, repeated until, at the end of
a round, all those queues are empty) and nothing waits for the next repaint. Only those nodes:
waiting for every widget let a busy chart hold keys up by 50 ms; now a lone key costs nothing
(`make bench`, key latency). While `waiting()` says so (before the first model is adopted) the
gate holds every key but the quit keys, so a `t` pressed as the first frame shows trains as
soon as there is a model, and the keys keep their order.

The settling reads private attributes of Textual 8 (`_message_queue`, `_pending_message`,
`_next_callbacks`, `Screen._callbacks`); should one go, the gate gives up waiting after
`GIVE_UP_SECONDS` rather than hold a key for ever.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from textual import events
from textual.app import App, ScreenStackError
from textual.dom import DOMNode
from textual.timer import Timer

PASS_WHILE_WAITING = frozenset({"ctrl+q", "ctrl+c"})  # quitting never waits for a model
MAX_ROUNDS = 12  # barrier rounds per key (a busy timer may keep a queue from ever being empty)
GIVE_UP_SECONDS = 1.0  # a key is let through after this, settled or not


class KeyGate:
    """Holds the keys the terminal sends and lets them through one at a time (see above)."""

    def __init__(self, app: App, waiting: Callable[[], bool]) -> None:
        self.app = app
        self.waiting = waiting
        self._held: deque[events.Key] = deque()
        self._released: events.Key | None = None  # the key let through, until it settles
        self._in_flight = False  # a key is being handled, or the app settling after it
        self._round: object | None = None  # the barrier round under way
        self._rounds = 0
        self._left = 0  # nodes yet to pass the round's barrier
        self._path: list[DOMNode] = []  # the focus chain the key was handed to
        self._give_up: Timer | None = None

    @property
    def idle(self) -> bool:
        """No key is held or in flight (for tests and benchmarks that wait for the keys)."""
        return not self._held and not self._in_flight

    def holds(self, event: events.Key) -> bool:
        """Whether the gate keeps the terminal's `event` for later: if so, the app must not
        handle it now. A key the gate itself let through is not held again."""
        if event is self._released:
            return False
        if event.key in PASS_WHILE_WAITING and self.waiting():
            return False
        if not self._held and not self._in_flight and not self.waiting():
            self._in_flight, self._released = True, event  # nothing before it: on it goes
            return False
        self._held.append(event)
        self.pump()
        return True

    def handled(self, event: events.Key) -> None:
        """The app has dispatched `event`: if the gate let it through, wait for it to settle
        before the next one goes."""
        if event is not self._released or self._give_up is not None:
            return
        self._rounds = 0
        self._path = self._focus_chain()
        self._give_up = self.app.set_timer(GIVE_UP_SECONDS, self._settled, name="key-gate")
        self._barrier()

    def pump(self) -> None:
        """Lets the next held key through, unless one is in flight or the app is waiting."""
        if self._in_flight or not self._held or self.waiting():
            return
        held = self._held.popleft()
        key = events.Key(held.key, held.character)
        # Sent by the app, as the driver's keys are: a message stops bubbling after its
        # sender's child, and this runs in whichever node's callback settled the last key.
        key.set_sender(self.app)
        self._in_flight, self._released = True, key
        if not self.app.post_message(key):  # the app is closing: nothing more to hand on
            self._in_flight, self._released = False, None
            self._held.clear()

    # -- settling ------------------------------------------------------------------------------
    def _barrier(self) -> None:
        """One round: a callback queued behind whatever each node of the screen has queued."""
        token = self._round = object()
        self._left = 0
        for node in self._nodes():
            if node.call_later(self._reached, token):
                self._left += 1
        if self._left == 0:
            self._settled()

    def _focus_chain(self) -> list[DOMNode]:
        """The focused widget and its ancestors up to the app: where a key goes, bubbles and
        meets its bindings, and where its effects (messages up the tree, focus changes, the
        app's actions) wait to be handled. The app alone once its screens are gone (closing)."""
        try:
            screen = self.app.screen
        except ScreenStackError:
            return [self.app]
        focused = screen.focused
        return list(focused.ancestors_with_self) if focused is not None else [screen, self.app]

    def _nodes(self) -> list[DOMNode]:
        """The nodes a round waits for: the chain the key went up, and the chain the focus is
        on now (after a focus change or a new screen). Only these, so that a busy chart
        redrawing elsewhere does not hold the next key up."""
        nodes = dict.fromkeys([*self._path, *self._focus_chain()])
        return [node for node in nodes if node.is_attached or node is self.app]

    def _reached(self, token: object) -> None:
        """A node has worked through its queue; once all have, the app has settled if, at
        this one moment, no queue holds anything more (a node that passed the barrier early
        may have been sent a message since) and nothing waits for the next repaint."""
        if token is not self._round:
            return  # a round given up on
        self._left -= 1
        if self._left:
            return
        self._rounds += 1
        screen = self.app.screen
        if self._rounds >= MAX_ROUNDS:
            self._settled()
        elif screen._callbacks:  # something waits for the next repaint (a deferred focus)
            screen.call_after_refresh(self._barrier)
        elif any(_busy(node) for node in self._nodes()):
            self._barrier()
        else:
            self._settled()

    def _settled(self) -> None:
        if not self._in_flight:
            return
        if self._give_up is not None:
            self._give_up.stop()
            self._give_up = None
        self._round, self._in_flight, self._released = None, False, None
        self.pump()


def _busy(node: DOMNode) -> bool:
    """Whether `node` has messages waiting: in its queue, or the one it has taken out of the
    queue to look at while handling the one before (`_pending_message`), or callbacks to run
    after the current one."""
    return (not node._message_queue.empty() or node._pending_message is not None
            or bool(node._next_callbacks))
