"""A statement as a file (供应商 / 加盟商 / 代理网点 / 业务员结算单), by clearing's writers
(``clearing.exports``: CSV streamed, XLSX write-only, PDF drawn row by row): its lines read
afresh in chunks on each pass, then its total; headers in the reader's language, money in yuan
with two decimals. The columns depend on the party: a supplier's or a franchisee's deduction,
an agent's rebates, a salesperson's commission."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import get_language, pgettext

from omnipoint.clearing.exports import CONTENT_TYPES, FORMATS, Cell, yuan
from omnipoint.core.errors import ValidationError
from omnipoint.outlets.domain import StaffActor
from omnipoint.settlement import selectors
from omnipoint.settlement.domain import PartyKind
from omnipoint.settlement.models import SettlementLine, Statement

MONEY = ("sales", "returns", "net", "deduction", "payable")
__all__ = ["CONTENT_TYPES", "StatementReport", "report_for"]

COLUMNS: dict[str, list[str]] = {
    PartyKind.SUPPLIER: ["count", "sales", "returns", "net", "rate", "deduction", "payable"],
    PartyKind.FRANCHISE: ["count", "sales", "returns", "net", "rate", "deduction", "payable"],
    PartyKind.AGENT: ["count", "sales", "payable"],
    PartyKind.SALESPERSON: ["sales", "returns", "payable"],
}


def _by_kind(kind: str, names: dict[str, str], default: str) -> str:
    return names.get(kind, default)


def _header(kind: str, column: str) -> str:
    names = {
        "count": pgettext("settlement export", "Bills")
        if kind == PartyKind.AGENT
        else pgettext("settlement export", "Lines sold"),
        "sales": _by_kind(
            kind,
            {
                PartyKind.AGENT: pgettext("settlement export", "Bills paid"),
                PartyKind.SALESPERSON: pgettext("settlement export", "Commission accrued"),
            },
            pgettext("settlement export", "Sales"),
        ),
        "returns": pgettext("settlement export", "Taken back by returns")
        if kind == PartyKind.SALESPERSON
        else pgettext("settlement export", "Returns"),
        "net": pgettext("settlement export", "Net sales"),
        "rate": pgettext("settlement export", "Deduction rate")
        if kind == PartyKind.SUPPLIER
        else pgettext("settlement export", "Network's share"),
        "deduction": pgettext("settlement export", "Deduction")
        if kind == PartyKind.SUPPLIER
        else pgettext("settlement export", "Network's part"),
        "payable": _by_kind(
            kind,
            {
                PartyKind.AGENT: pgettext("settlement export", "Rebate"),
                PartyKind.SALESPERSON: pgettext("settlement export", "Commission due"),
            },
            pgettext("settlement export", "Payable"),
        ),
    }
    return names[column] + (" (¥)" if column in MONEY else "")


def rate_text(rate: Decimal | None) -> str:
    return "" if rate is None else f"{rate * 100:.2f}%"


@dataclass(frozen=True)
class StatementReport:
    statement: Statement
    text_columns = (150.0,)
    wide = False

    @property
    def columns(self) -> list[str]:
        return COLUMNS[self.statement.kind]

    @property
    def title(self) -> str:
        return pgettext("settlement export", "Statement %(period)s, %(party)s") % {
            "period": self.statement.period,
            "party": self.statement.party.name,
        }

    @property
    def filename(self) -> str:
        return f"statement-{self.statement.period}-{self.statement.kind}-{self.statement.pk}"

    @property
    def sheet(self) -> str:
        return self.statement.period

    def headers(self, measures: list[str] | None = None) -> list[str]:
        item = _by_kind(
            self.statement.kind,
            {
                PartyKind.SALESPERSON: pgettext("settlement export", "Order"),
                PartyKind.AGENT: pgettext("settlement export", "Item"),
            },
            pgettext("settlement export", "Category"),
        )
        return [item, *[_header(self.statement.kind, c) for c in self.columns]]

    def sections(self) -> list[tuple[str, list[str]]]:
        return [(self.title, self.columns)]

    def _cells(self, values: dict[str, object]) -> list[Cell]:
        out: list[Cell] = []
        for c in self.columns:
            v = values.get(c)
            if c == "rate":
                out.append(rate_text(v) if isinstance(v, Decimal) else "")
            elif c in MONEY:
                out.append(yuan(int(v or 0)))  # type: ignore[call-overload]
            else:
                out.append(int(v or 0))  # type: ignore[call-overload]
        return out

    def lines(self, measures: list[str] | None = None) -> Iterator[list[Cell]]:
        chinese = (get_language() or "").startswith("zh")
        rows = SettlementLine.objects.filter(statement_id=self.statement.pk).order_by("position")
        for ln in rows.iterator(chunk_size=500):
            yield [ln.item if chinese else (ln.item_en or ln.item), *self._cells(vars(ln))]
        s = self.statement
        count = rows.aggregate(n=Sum("count"))["n"] or 0
        total = {
            "count": count,
            "sales": s.sales,
            "returns": s.returns,
            "net": s.sales - s.returns,
            "deduction": s.deduction,
            "payable": s.amount,
        }
        yield [pgettext("books export", "Total"), *self._cells(total)]


def report_for(*, actor: StaffActor, statement_id: int, fmt: str) -> StatementReport:
    """A statement in the actor's scope as an export, once the format is known (422
    ``unknown_format``; 404 ``statement_not_found``)."""
    if fmt not in FORMATS:
        raise ValidationError(
            f"the export format is one of {', '.join(FORMATS)}", code="unknown_format", format=fmt[:10]
        )
    return StatementReport(selectors.statement_get(actor=actor, statement_id=statement_id))
