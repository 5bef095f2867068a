"""Events as types: the base class of every event the contract (`zapdesk.events`) declares, and an event once its
transaction committed (`Published`, with its position in the event log).

An event is a typed payload (a pydantic model) plus the Socket.IO rooms that may receive it. Events with no
rooms are for the server itself (worker nudges): they are never logged nor sent to a browser. This module knows
no domain: the contract module subclasses `Event`, and each concrete subclass registers its name here, so an
event that travelled as JSON (from a worker, through Redis, out of the log) comes back as its own type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Self, TypeVar, cast, get_args

from pydantic import BaseModel

P = TypeVar("P", bound=BaseModel)


class Event(Generic[P]):
    """One thing that happened. Subclasses set `name` and derive from `Event[ThePayloadModel]` (or a generic
    intermediate base), which makes `payload_type` that model."""

    name: ClassVar[str]
    payload_type: ClassVar[type[BaseModel]]
    _registry: ClassVar[dict[str, type[Event[Any]]]] = {}

    __slots__ = ("_data", "_payload", "rooms")

    def __init__(self, payload: P, rooms: Iterable[str] = ()) -> None:
        self._payload: P | None = payload
        self._data: dict[str, Any] | None = None
        self.rooms: tuple[str, ...] = tuple(dict.fromkeys(rooms))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            model = next(iter(get_args(base)), None)
            if isinstance(model, type) and issubclass(model, BaseModel):
                cls.payload_type = model
        if "name" in cls.__dict__:
            known = Event._registry.setdefault(cls.name, cls)
            if known is not cls:
                raise TypeError(f"two event types are named {cls.name!r}: {known.__qualname__} and {cls.__qualname__}")

    @classmethod
    def from_data(cls, data: dict[str, Any], rooms: Iterable[str] = ()) -> Self:
        """The event as it travelled: its payload is validated into `payload_type` when first read."""
        event = cls.__new__(cls)
        event._payload, event._data, event.rooms = None, data, tuple(rooms)
        return event

    @property
    def payload(self) -> P:
        if self._payload is None:
            self._payload = cast(P, self.payload_type.model_validate(self._data))
        return self._payload

    @property
    def data(self) -> dict[str, Any]:
        """The payload as JSON-ready data, made once however many consumers read it."""
        if self._data is None:
            self._data = self.payload.model_dump(mode="json")
        return self._data

    @property
    def for_browsers(self) -> bool:
        return bool(self.rooms)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r}, rooms={self.rooms!r})"

    @staticmethod
    def type_named(name: str) -> type[Event[Any]]:
        """The event type called `name` (KeyError if no module declared one)."""
        return Event._registry[name]

    @staticmethod
    def registered_type(name: str) -> type[Event[Any]] | None:
        return Event._registry.get(name)

    @staticmethod
    def registered() -> list[type[Event[Any]]]:
        return list(Event._registry.values())


@dataclass(frozen=True, slots=True)
class Published:
    """A committed event. `seq` is its position in the event log; None for an event not for browsers (never
    logged). Positions increase in commit order, without gaps (see `zapdesk.db.journal`)."""

    seq: int | None
    event: Event[Any]

    @property
    def name(self) -> str:
        return self.event.name

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready, for the worker's channel and Redis: `from_wire` gives it back."""
        return {"seq": self.seq, "name": self.event.name, "payload": self.event.data, "rooms": list(self.event.rooms)}

    @staticmethod
    def from_wire(data: dict[str, Any]) -> Published:
        kind = Event.type_named(data["name"])
        return Published(data["seq"], kind.from_data(data["payload"], data["rooms"]))


EventSink = Callable[[Sequence[Published]], Awaitable[None]]
