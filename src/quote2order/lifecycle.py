"""The quote and order lifecycles: one shared ``transitions`` machine per aggregate type.

This is the only module that imports ``transitions``. Each machine is built once, with no
models attached (``model=None``), and fired as ``machine.events[action].trigger(obj)``;
a machine per object would cost far more time and memory (see docs/architecture.md).
Legal moves live only in the tables below; :meth:`Lifecycle.fire` refuses any other
action with :class:`~quote2order.errors.InvalidTransition` before anything changes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from transitions import Machine

from quote2order.errors import InvalidTransition

__all__ = [
    "ORDER_LIFECYCLE",
    "PURCHASE_ORDER_LIFECYCLE",
    "QUOTE_LIFECYCLE",
    "Lifecycle",
    "OrderStatus",
    "PurchaseOrderStatus",
    "QuoteStatus",
]


class QuoteStatus(enum.Enum):
    """Where a quote stands; the status belongs to its latest version."""

    DRAFT = "draft"  # being written; the only status in which positions can change
    SENT = "sent"  # sent to the customer, in negotiation; the version is frozen
    WON = "won"  # accepted by the customer (or marked won); its order exists
    LOST = "lost"  # declined, marked lost, or its order was rejected
    EXPIRED = "expired"  # not accepted before its validity date


class OrderStatus(enum.Enum):
    """Where an order stands between acceptance and invoicing."""

    OPEN = "open"  # created from a won quote, waiting for the reseller
    CONFIRMED = "confirmed"  # confirmed by the reseller; goes into fulfilment
    IN_PROCUREMENT = "in_procurement"  # some positions are in the cart or ordered
    PARTLY_SHIPPED = "partly_shipped"  # some parcels shipped, goods still outstanding
    COMPLETED = "completed"  # delivered in full, or the rest closed as not delivered
    INVOICED = "invoiced"  # final: the pro-forma invoice exists; nothing changes any more
    REJECTED = "rejected"  # rejected by the reseller; its quote became lost


class PurchaseOrderStatus(enum.Enum):
    """Where a purchase order to one supplier stands."""

    DRAFT = "draft"  # made by checkout; not yet sent to the supplier
    SENT = "sent"  # sent to the supplier; goods expected
    PARTLY_RECEIVED = "partly_received"  # some of the goods arrived
    RECEIVED = "received"  # all goods arrived (final)
    CANCELLED = "cancelled"  # cancelled before any goods arrived (final)


S = TypeVar("S", bound=enum.Enum)

# (action, sources, destination); destination None = an action that keeps the state.
Table = Sequence[tuple[str, Sequence[S], S | None]]

QUOTE_TRANSITIONS: Table[QuoteStatus] = (
    ("edit", [QuoteStatus.DRAFT], None),
    ("send", [QuoteStatus.DRAFT], QuoteStatus.SENT),
    ("accept", [QuoteStatus.SENT], QuoteStatus.WON),
    ("mark_won", [QuoteStatus.SENT], QuoteStatus.WON),
    ("decline", [QuoteStatus.SENT], QuoteStatus.LOST),
    ("mark_lost", [QuoteStatus.SENT], QuoteStatus.LOST),
    ("expire", [QuoteStatus.SENT], QuoteStatus.EXPIRED),
    ("reject", [QuoteStatus.WON], QuoteStatus.LOST),
    ("reopen", [QuoteStatus.LOST, QuoteStatus.EXPIRED], QuoteStatus.DRAFT),
)

ORDER_TRANSITIONS: Table[OrderStatus] = (
    ("confirm", [OrderStatus.OPEN], OrderStatus.CONFIRMED),
    ("reject", [OrderStatus.OPEN, OrderStatus.CONFIRMED], OrderStatus.REJECTED),
    ("start_procurement", [OrderStatus.CONFIRMED], OrderStatus.IN_PROCUREMENT),
    ("end_procurement", [OrderStatus.IN_PROCUREMENT], OrderStatus.CONFIRMED),
    ("complete", [OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT], OrderStatus.COMPLETED),
    # One parcel of a partial delivery: the order picks the action that matches what is
    # still outstanding (as receiving does for purchase orders), so no guards are needed.
    (
        "ship_part",
        [OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT, OrderStatus.PARTLY_SHIPPED],
        OrderStatus.PARTLY_SHIPPED,
    ),
    (
        "ship_rest",
        [OrderStatus.CONFIRMED, OrderStatus.IN_PROCUREMENT, OrderStatus.PARTLY_SHIPPED],
        OrderStatus.COMPLETED,
    ),
    ("close_rest", [OrderStatus.PARTLY_SHIPPED], OrderStatus.COMPLETED),
    ("invoice", [OrderStatus.COMPLETED], OrderStatus.INVOICED),
)

# Receiving is one domain action with two outcomes; the purchase order picks the one that
# matches what is still outstanding, so the table stays free of guards.
PURCHASE_ORDER_TRANSITIONS: Table[PurchaseOrderStatus] = (
    ("send", [PurchaseOrderStatus.DRAFT], PurchaseOrderStatus.SENT),
    (
        "receive_part",
        [PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED],
        PurchaseOrderStatus.PARTLY_RECEIVED,
    ),
    (
        "receive_rest",
        [PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED],
        PurchaseOrderStatus.RECEIVED,
    ),
    (
        "cancel",
        [PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT],
        PurchaseOrderStatus.CANCELLED,
    ),
)


class Stateful(Protocol[S]):
    """An aggregate the lifecycle can move: it has an id for messages and a status."""

    status: S

    @property
    def lifecycle_id(self) -> str: ...


class Lifecycle(Generic[S]):
    """One shared state machine for every aggregate of one kind."""

    def __init__(self, kind: str, states: type[S], initial: S, table: Table[S]) -> None:
        self.kind = kind
        self.states = states
        self.initial = initial
        self.table = tuple(table)
        self.machine = Machine(
            model=None,
            states=states,
            initial=initial,
            transitions=[
                {"trigger": action, "source": list(sources), "dest": dest}
                for action, sources, dest in table
            ],
            auto_transitions=False,
            model_attribute="status",
        )
        allowed: dict[S, set[str]] = {state: set() for state in states}
        for action, sources, _ in table:
            for source in sources:
                allowed[source].add(action)
        self._allowed = {state: frozenset(actions) for state, actions in allowed.items()}
        self._events = self.machine.events

    def allowed_actions(self, status: S) -> frozenset[str]:
        """The actions legal in ``status``."""
        return self._allowed[status]

    def check(self, obj: Stateful[S], action: str) -> None:
        """Raise InvalidTransition unless ``action`` is legal for ``obj`` now."""
        allowed = self._allowed[obj.status]
        if action not in allowed:
            raise InvalidTransition(self.kind, obj.lifecycle_id, obj.status.value, action, allowed)

    def fire(self, obj: Stateful[S], action: str) -> None:
        """Move ``obj`` by ``action``; an illegal action raises and changes nothing."""
        self.check(obj, action)
        self._events[action].trigger(obj)

    def mermaid(self) -> str:
        """The lifecycle as a Mermaid state diagram, generated from the machine itself."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial.name}"]
        for name, event in self.machine.events.items():
            for source, transitions in event.transitions.items():
                for transition in transitions:
                    dest = transition.dest if transition.dest is not None else source
                    lines.append(f"    {_state_name(source)} --> {_state_name(dest)}: {name}")
        finals = [s for s in self.states if not self._allowed[s]]
        lines.extend(f"    {state.name} --> [*]" for state in finals)
        return "\n".join(lines) + "\n"


def _state_name(state: object) -> str:
    return state.name if isinstance(state, enum.Enum) else str(state)


QUOTE_LIFECYCLE: Lifecycle[QuoteStatus] = Lifecycle(
    "quote", QuoteStatus, QuoteStatus.DRAFT, QUOTE_TRANSITIONS
)
ORDER_LIFECYCLE: Lifecycle[OrderStatus] = Lifecycle(
    "order", OrderStatus, OrderStatus.OPEN, ORDER_TRANSITIONS
)
PURCHASE_ORDER_LIFECYCLE: Lifecycle[PurchaseOrderStatus] = Lifecycle(
    "purchase order",
    PurchaseOrderStatus,
    PurchaseOrderStatus.DRAFT,
    PURCHASE_ORDER_TRANSITIONS,
)
