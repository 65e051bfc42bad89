"""The `smsgate` command: run the gateway, manage accounts and keys, and talk to a running one."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, TypeVar

import httpx
import typer
import uvicorn
from rich import box
from rich.console import Console
from rich.table import Column, Table

from smsgate.config import Settings
from smsgate.domain.errors import DomainError

T = TypeVar("T")

app = typer.Typer(no_args_is_help=True, help="smsgate: a self-hosted SMS gateway.")
accounts_app = typer.Typer(no_args_is_help=True, help="Manage accounts (operator).")
keys_app = typer.Typer(no_args_is_help=True, help="Manage API keys (operator).")
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")
numbers_app = typer.Typer(
    no_args_is_help=True,
    help="The gateway's numbers: owned by accounts (inbound to them is theirs), or in the shared "
    "and two-way pools (operator).",
)
app.add_typer(numbers_app, name="numbers")
senders_app = typer.Typer(
    no_args_is_help=True,
    help="Sender names: approve or reject what accounts register; default sender, policy "
    "(operator).",
)
app.add_typer(senders_app, name="senders")
connectors_app = typer.Typer(
    no_args_is_help=True,
    help="Connectors: list them with their live state; add, remove, enable, disable (operator).",
)
app.add_typer(connectors_app, name="connectors")
routes_app = typer.Typer(
    no_args_is_help=True,
    help="Routing rules: which connector takes which messages; connector costs (operator).",
)
app.add_typer(routes_app, name="routes")
prices_app = typer.Typer(no_args_is_help=True, help="Manage price lists (operator).")
app.add_typer(prices_app, name="prices")
networks_app = typer.Typer(
    no_args_is_help=True, help="The numbering plan behind prices by network."
)
app.add_typer(networks_app, name="networks")
balance_app = typer.Typer(
    no_args_is_help=True, help="Accounts' balances: top-ups and the ledger (operator)."
)
app.add_typer(balance_app, name="balance")
contacts_app = typer.Typer(
    no_args_is_help=True, help="Accounts' address books: contacts and groups."
)
app.add_typer(contacts_app, name="contacts")
console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (SQLite lives here) (env SMSGATE_DATA_DIR)"),
]
ConfigFile = Annotated[
    Path | None, typer.Option("--config", help="TOML config file (env SMSGATE_CONFIG)")
]
ServerUrl = Annotated[
    str,
    typer.Option("--url", envvar="SMSGATE_URL", help="Base URL of a running smsgate"),
]
ApiKey = Annotated[
    str,
    typer.Option("--key", envvar="SMSGATE_KEY", help="API token <key_id>.<secret>"),
]


def _settings(config: Path | None = None, **overrides: Any) -> Settings:
    if config is not None:
        os.environ["SMSGATE_CONFIG"] = str(config)
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


class _Server(uvicorn.Server):
    """uvicorn's server, telling the gateway as soon as a stop is asked for: live event
    streams then end, instead of holding the graceful shutdown to its time limit."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]):
        super().__init__(config)
        self._on_exit = on_exit

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._on_exit()
        super().handle_exit(sig, frame)


def _exit_cleanly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="HTTP bind address (env SMSGATE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (env SMSGATE_PORT)")] = None,
    smpp_port: Annotated[
        int | None, typer.Option(help="SMPP server port (env SMSGATE_SMPP_PORT)")
    ] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Run the gateway in the foreground (HTTP API, dispatcher, connectors). SIGTERM stops it
    cleanly."""
    from smsgate.http.app import create_app
    from smsgate.logs import setup_logging
    from smsgate.runtime import Gateway

    settings = _settings(config, host=host, port=port, smpp_port=smpp_port, data_dir=data_dir)
    setup_logging(settings.log_level)
    base = f"http://{settings.host}:{settings.port}"

    def announce() -> None:
        console.print(f"[bold green]smsgate is running[/] on {settings.database_url_shown}")
        console.print(f"  API:  {base}/v1/messages")
        console.print(f"  Docs: {base}/docs")
        if settings.smpp_server.enabled:
            smpp_host = settings.smpp_server.host or settings.host
            ports = ", ".join(str(p) for p in gateway.smpp_server.ports)
            console.print(f"  SMPP: {smpp_host}:{ports} (customers bind with SMPP credentials)")
        if settings.demo_account:
            console.print(
                "  Demo account (test mode, nothing is sent): key [bold]demo[/], "
                "secret [bold]demo[/]  (Bearer demo.demo, or Basic demo:demo)"
            )

    # uvicorn re-raises SIGTERM once its graceful shutdown is done, which would end the process
    # with -15; by then the gateway has stopped cleanly, so make it a normal exit.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        gateway = Gateway(settings)
    except DomainError as err:  # e.g. a connector of the config file with a bad option
        err_console.print(f"[red]error:[/] {err.detail}")
        raise typer.Exit(1) from None
    server_config = uvicorn.Config(
        create_app(gateway, on_started=announce),
        host=settings.host,
        port=settings.port,
        log_level="warning" if settings.log_level == "info" else settings.log_level,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=15,
    )
    _Server(server_config, on_exit=gateway.events.close).run()


def _operator(data_dir: Path | None, config: Path | None, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(gateway_services)` against the store directly, as the operator."""
    from smsgate.services.accounts import AccountService

    return _on_store(data_dir, config, lambda db, _: AccountService(db), work)


def _on_store(
    data_dir: Path | None,
    config: Path | None,
    service: Callable[[Any, Settings], Any],
    work: Callable[[Any], Awaitable[T]],
) -> T:
    """Run `work(service(db, settings))` against the store directly; errors end the command."""
    from smsgate.store.database import Database

    settings = _settings(config, data_dir=data_dir)

    async def run() -> T:
        db = Database(settings.resolved_database_url, node_id=settings.node_id)
        await db.open()
        try:
            return await work(service(db, settings))
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except DomainError as err:
        err_console.print(f"[red]error:[/] {err.detail}")
        raise typer.Exit(1) from None


@accounts_app.command("create")
def accounts_create(
    name: str,
    region: Annotated[
        str | None, typer.Option(help="Default region for national numbers, e.g. PL")
    ] = None,
    max_parts: Annotated[
        int | None, typer.Option(help="Longest message accepted, in parts (10; a parent's)")
    ] = None,
    test_mode: Annotated[bool, typer.Option(help="Validate and answer, never send")] = False,
    parent: Annotated[
        str | None, typer.Option(help="Make it a sub-account of this account, on its terms")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="Its time zone, e.g. Europe/Warsaw (UTC; a parent's)"),
    ] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Create an account, or a sub-account of another."""
    account = _operator(
        data_dir,
        config,
        lambda s: s.create_account(
            name,
            default_region=region,
            max_parts=max_parts,
            test_mode=test_mode,
            parent=parent,
            timezone=timezone,
        ),
    )
    of = f", a sub-account of {parent}" if parent else ""
    console.print(f"account [bold]{account.name}[/] created (id {account.id}{of})")


@accounts_app.command("list")
def accounts_list(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """List accounts."""
    accounts = _operator(data_dir, config, lambda s: s.accounts())
    names = {a.id: a.name for a in accounts}
    table = Table("id", "name", "parent", "region", "time zone", "max parts", "test mode", "active")
    for a in accounts:
        table.add_row(
            str(a.id),
            a.name,
            names.get(a.parent_id, "") if a.parent_id is not None else "",
            a.default_region or "",
            a.timezone,
            str(a.max_parts),
            str(a.test_mode),
            str(a.active),
        )
    console.print(table)


@accounts_app.command("timezone")
def accounts_timezone(
    name: str,
    zone: Annotated[
        str | None, typer.Argument(help="An IANA time zone, e.g. Europe/Warsaw")
    ] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Show or set an account's time zone: of its campaigns' recipients without one, and of
    its quiet hours set without --timezone."""
    account = _operator(
        data_dir, config, lambda s: s.set_timezone(name, zone) if zone else s.account(name)
    )
    console.print(f"{account.name}: {account.timezone}")


@accounts_app.command("smpp")
def accounts_smpp(
    name: str,
    system_id: Annotated[
        str | None, typer.Option("--system-id", help="The system_id the account binds with")
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Its password (at most 8 characters), stored hashed")
    ] = None,
    max_binds: Annotated[int, typer.Option(help="Binds open at once, at most")] = 4,
    dc0: Annotated[
        str, typer.Option("--dc0", help="How data_coding 0 is read: gsm7, latin1 or ascii")
    ] = "gsm7",
    dc1: Annotated[
        str, typer.Option("--dc1", help="How data_coding 1 is read: gsm7, latin1 or ascii")
    ] = "ascii",
    disabled: Annotated[bool, typer.Option(help="Keep the credentials, refuse binds")] = False,
    remove: Annotated[bool, typer.Option(help="Take the account's SMPP access away")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Show, set or remove an account's SMPP credentials (docs/smpp-server.md). With
    --system-id and --password they are set (replacing any), with --remove removed, else
    shown."""
    from smsgate.services.accounts import AccountService
    from smsgate.services.smpp_accounts import SmppAccounts

    def service(db: Any, _settings: Settings) -> SmppAccounts:
        return SmppAccounts(db, AccountService(db))

    if remove:
        if not _on_store(data_dir, config, service, lambda s: s.remove_credentials(name)):
            err_console.print(f"[red]error:[/] {name} has no SMPP credentials")
            raise typer.Exit(1)
        console.print(f"SMPP access of [bold]{name}[/] removed")
        return
    if (system_id is None) != (password is None):
        err_console.print("[red]error:[/] give both --system-id and --password")
        raise typer.Exit(1)
    if system_id is not None and password is not None:
        credentials = _on_store(
            data_dir,
            config,
            service,
            lambda s: s.set_credentials(
                name,
                system_id=system_id,
                password=password,
                max_binds=max_binds,
                dc0=dc0,
                dc1=dc1,
                enabled=not disabled,
            ),
        )
    else:
        credentials = _on_store(data_dir, config, service, lambda s: s.credentials(name))
        if credentials is None:
            err_console.print(f"[red]error:[/] {name} has no SMPP credentials")
            raise typer.Exit(1)
    table = Table("account", "system_id", "max binds", "dc 0", "dc 1", "enabled")
    table.add_row(
        name,
        credentials.system_id,
        str(credentials.max_binds),
        credentials.dc0,
        credentials.dc1,
        str(credentials.enabled),
    )
    console.print(table)


@keys_app.command("create")
def keys_create(
    account: str,
    key_id: Annotated[str | None, typer.Option(help="Key id (default: random)")] = None,
    label: Annotated[str | None, typer.Option(help="A note to recognise the key by")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Create an API key for an account. The secret is shown once and stored only hashed."""
    key = _operator(data_dir, config, lambda s: s.create_key(account, key_id=key_id, label=label))
    if as_json:
        print(
            json.dumps(
                {
                    "account": key.account,
                    "key_id": key.key_id,
                    "secret": key.secret,
                    "token": key.token,
                }
            )
        )
        return
    console.print(f"key id:  [bold]{key.key_id}[/]")
    console.print(f"secret:  [bold]{key.secret}[/]  (shown once)")
    console.print(f"token:   Authorization: Bearer {key.token}")


@keys_app.command("revoke")
def keys_revoke(key_id: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Revoke an API key."""
    if not _operator(data_dir, config, lambda s: s.revoke_key(key_id)):
        err_console.print(f"[red]error:[/] no active key {key_id}")
        raise typer.Exit(1)
    console.print(f"key {key_id} revoked")


def _senders(data_dir: Path | None, config: Path | None, work: Callable[[Any], Awaitable[T]]) -> T:
    from smsgate.services.accounts import AccountService
    from smsgate.services.senders import SenderBook, SenderService

    def service(db: Any, _settings: Settings) -> SenderService:
        return SenderService(db, AccountService(db), SenderBook(db))

    return _on_store(data_dir, config, service, work)


@numbers_app.command("add")
def numbers_add(
    number: str,
    account: Annotated[str | None, typer.Argument(help="The account it belongs to")] = None,
    pool: Annotated[
        str | None,
        typer.Option(
            "--pool",
            help="shared (lent to messages without a sender) or two_way (to those "
            "expecting replies), instead of an account",
        ),
    ] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Give a number (or short code) to an account, or put it in a pool."""
    from smsgate.domain.sender import NumberKind

    if account is not None and pool is None:
        view = _senders(data_dir, config, lambda s: s.assign_number(account, number))
        console.print(f"{view.number.number} belongs to [bold]{account}[/]")
    elif pool in (NumberKind.SHARED, NumberKind.TWO_WAY) and account is None:
        view = _senders(data_dir, config, lambda s: s.pool_number(number, NumberKind(pool)))
        console.print(f"{view.number.number} is in the [bold]{pool}[/] pool")
    else:
        err_console.print("[red]error:[/] give an account or --pool shared|two_way, not both")
        raise typer.Exit(2)


@numbers_app.command("remove")
def numbers_remove(number: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Take a number away from its account or pool."""
    if not _senders(data_dir, config, lambda s: s.release_number(number)):
        err_console.print(f"[red]error:[/] {number} is not one of the gateway's numbers")
        raise typer.Exit(1)
    console.print(f"{number} released")


@numbers_app.command("list")
def numbers_list(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Every number: dedicated to an account, or in a pool."""
    table = Table("number", "kind", "account")
    for view in _senders(data_dir, config, lambda s: s.numbers()):
        table.add_row(view.number.number, view.number.kind.value, view.account or "")
    console.print(table)


@senders_app.command("list")
def senders_list(
    account: Annotated[str | None, typer.Argument(help="One account's senders")] = None,
    pending: Annotated[bool, typer.Option("--pending", help="Only those to decide")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Registered sender names with their state."""
    from smsgate.domain.sender import SenderState

    if account is not None:
        view = _senders(data_dir, config, lambda s: s.senders_of(account))
        console.print(
            f"policy: [bold]{view.account.sender_policy.value}[/]   "
            f"default sender: [bold]{view.account.default_sender or '-'}[/]"
        )
        listed = [
            (account, entry)
            for entry in view.registered
            if not pending or entry.state is SenderState.PENDING
        ]
    else:
        state = SenderState.PENDING if pending else None
        listed = _senders(data_dir, config, lambda s: s.waiting(state))
    table = Table("account", "sender", "state", "reason")
    for name, entry in listed:
        table.add_row(name, entry.name, entry.state.value, entry.reason or "")
    console.print(table)


@senders_app.command("add")
def senders_add(
    account: str, name: str, data_dir: DataDir = None, config: ConfigFile = None
) -> None:
    """Register a sender name for an account, approved."""
    entry = _senders(data_dir, config, lambda s: s.add_for(account, name))
    console.print(f"{entry.name} is approved for [bold]{account}[/]")


@senders_app.command("approve")
def senders_approve(
    account: str, name: str, data_dir: DataDir = None, config: ConfigFile = None
) -> None:
    """Approve a sender name an account registered."""
    from smsgate.domain.sender import SenderState

    _senders(data_dir, config, lambda s: s.decide(account, name, SenderState.APPROVED))
    console.print(f"{name} is approved for [bold]{account}[/]")


@senders_app.command("reject")
def senders_reject(
    account: str,
    name: str,
    reason: Annotated[str | None, typer.Option("--reason", help="Told to the account")] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Reject a sender name an account registered."""
    from smsgate.domain.sender import SenderState

    _senders(data_dir, config, lambda s: s.decide(account, name, SenderState.REJECTED, reason))
    console.print(f"{name} is rejected for [bold]{account}[/]")


@senders_app.command("remove")
def senders_remove(
    account: str, name: str, data_dir: DataDir = None, config: ConfigFile = None
) -> None:
    """Remove an account's sender name."""
    _senders(data_dir, config, lambda s: s.remove_for(account, name))
    console.print(f"{name} removed from [bold]{account}[/]")


@senders_app.command("default")
def senders_default(
    account: str,
    sender: Annotated[str | None, typer.Argument(help="Leave out to clear it")] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Set the sender of an account's requests that name none."""
    _senders(data_dir, config, lambda s: s.set_default_of(account, sender))
    console.print(f"default sender of [bold]{account}[/]: {sender or '-'}")


@senders_app.command("policy")
def senders_policy(
    account: str,
    policy: Annotated[str, typer.Argument(help="open or registered")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """open: any valid sender; registered: only approved names and the account's numbers."""
    from smsgate.domain.sender import SenderPolicy

    if policy not in (SenderPolicy.OPEN, SenderPolicy.REGISTERED):
        err_console.print("[red]error:[/] the policy is open or registered")
        raise typer.Exit(2)
    _senders(data_dir, config, lambda s: s.set_policy(account, SenderPolicy(policy)))
    console.print(f"sender policy of [bold]{account}[/]: {policy}")


def _routing(data_dir: Path | None, config: Path | None, work: Callable[[Any], Awaitable[T]]) -> T:
    from smsgate.dispatch.router import Router
    from smsgate.services.accounts import AccountService
    from smsgate.services.billing import PriceBook
    from smsgate.services.connectors import ConnectorService, configured_connectors
    from smsgate.services.routing import RouteBook, RoutingService

    settings = _settings(config, data_dir=data_dir)

    async def prepared(service: RoutingService) -> T:
        await service.use_reported_states(settings.default_connector)
        return await work(service)

    def service(db: Any, settings: Settings) -> RoutingService:
        router, prices = Router(), PriceBook(db)
        connectors = ConnectorService(db, configured_connectors(settings))
        return RoutingService(
            db, RouteBook(db, router, prices), router, AccountService(db), connectors, prices
        )

    return _on_store(data_dir, config, service, prepared)


def _print_rules(views: list[Any]) -> None:
    table = Table("priority", "name", "matches", "strategy", "connectors", "reroute")
    for view in views:
        rule = view.rule
        matches = [
            *(f"+{p}" for p in rule.prefixes),
            *([f"/{rule.pattern.pattern}/"] if rule.pattern is not None else []),
            *([f"account {view.account}"] if view.account else []),
            *([f"sender {rule.sender}"] if rule.sender else []),
            *(["urgent" if rule.urgent else "bulk"] if rule.urgent is not None else []),
            *([f"{rule.window.hours} {rule.window.zone}"] if rule.window is not None else []),
        ]
        table.add_row(
            str(rule.priority),
            rule.name,
            ", ".join(matches) or "(everything)",
            rule.strategy.value,
            ", ".join(f"{t.connector}:{t.weight}" for t in rule.targets),
            "yes" if rule.reroute else "",
        )
    console.print(table)


@routes_app.command("list")
def routes_list(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Every routing rule, in the order they are tried."""
    _print_rules(_routing(data_dir, config, lambda s: s.rules()))


@routes_app.command("set")
def routes_set(
    name: str,
    to: Annotated[
        list[str], typer.Option("--to", help="CONNECTOR or CONNECTOR:WEIGHT; repeat, in order")
    ],
    priority: Annotated[int, typer.Option(help="Lower rules are tried first")] = 100,
    strategy: Annotated[str, typer.Option(help="failover, weighted or least_cost")] = "failover",
    prefix: Annotated[list[str] | None, typer.Option("--prefix", help="Destination prefix")] = None,
    pattern: Annotated[str | None, typer.Option(help="Regular expression on the number")] = None,
    account: Annotated[str | None, typer.Option(help="Only this account's messages")] = None,
    sender: Annotated[str | None, typer.Option(help="Only messages from this sender")] = None,
    urgent: Annotated[
        bool | None, typer.Option("--urgent/--bulk", help="Only urgent, or only bulk, messages")
    ] = None,
    hours: Annotated[str | None, typer.Option(help="HH:MM-HH:MM")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of --hours")] = "UTC",
    day: Annotated[list[int] | None, typer.Option("--day", help="ISO weekday of --hours")] = None,
    reroute: Annotated[
        bool, typer.Option(help="Move a message refused for good to the next connector")
    ] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Create a routing rule or replace it; a running server applies it within 5 seconds."""
    from smsgate.domain.routing import Strategy
    from smsgate.services.routing import RuleInput

    if strategy not in tuple(Strategy):
        err_console.print("[red]error:[/] the strategy is failover, weighted or least_cost")
        raise typer.Exit(2)
    targets = []
    for given in to:
        connector, _, weight = given.partition(":")
        if weight and not weight.isdigit():
            err_console.print(f"[red]error:[/] {given}: the weight is a whole number")
            raise typer.Exit(2)
        targets.append((connector, int(weight or 1)))
    rule = RuleInput(
        priority=priority,
        targets=targets,
        strategy=Strategy(strategy),
        prefixes=prefix or [],
        pattern=pattern,
        account=account,
        sender=sender,
        urgent=urgent,
        hours=hours,
        timezone=timezone,
        days=day or [],
        reroute=reroute,
    )
    _print_rules([_routing(data_dir, config, lambda s: s.put(name, rule))])


@routes_app.command("remove")
def routes_remove(name: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Remove a routing rule."""
    _routing(data_dir, config, lambda s: s.remove(name))
    console.print(f"rule {name} removed")


@routes_app.command("test")
def routes_test(
    account: str,
    to: str,
    sender: Annotated[str | None, typer.Option(help="The message's sender")] = None,
    urgent: Annotated[bool, typer.Option(help="An urgent message")] = False,
    text: Annotated[str, typer.Option(help="Counts the parts (one without it)")] = "",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Which connector a message would take now, and its price and cost; nothing is sent.
    Connectors count as up as the running nodes last reported them."""
    from smsgate.domain.pricing import amount_text

    run = _routing(
        data_dir,
        config,
        lambda s: s.dry_run(account, to, sender=sender, urgent=urgent, text=text),
    )
    decision = run.decision
    console.print(f"connector:  [bold]{decision.connector or '(none)'}[/]")
    console.print(f"rule:       {decision.rule or '(none: the default connector)'}")
    if decision.candidates:
        console.print(f"candidates: {', '.join(decision.candidates)}")
    console.print(f"parts:      {run.parts}")
    if run.network is not None:
        console.print(f"network:    {run.network.code} {run.network.name}")
    if run.price is not None:
        console.print(f"price:      {amount_text(run.price)} {run.currency}")
    if run.cost is not None:
        console.print(f"cost:       {amount_text(run.cost)} {run.cost_currency}")


@routes_app.command("cost")
def routes_cost(
    connector: str,
    price_list: Annotated[
        str | None, typer.Argument(help="The price list of its costs; leave out to clear")
    ] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Keep what sending through a connector costs in a price list (for least-cost rules)."""
    _routing(data_dir, config, lambda s: s.set_cost(connector, price_list))
    console.print(f"cost of [bold]{connector}[/]: {price_list or '(unknown)'}")


def _billing(data_dir: Path | None, config: Path | None, work: Callable[[Any], Awaitable[T]]) -> T:
    from smsgate.services.accounts import AccountService
    from smsgate.services.billing import BillingService, PriceBook

    def service(db: Any, _settings: Settings) -> BillingService:
        return BillingService(db, AccountService(db), PriceBook(db))

    return _on_store(data_dir, config, service, work)


def _price_pairs(pairs: list[str]) -> dict[str, str]:
    """PREFIX=PRICE (or MCC-MNC=PRICE) arguments; an empty prefix (=0.10) prices every other
    destination."""
    prices = {}
    for pair in pairs:
        prefix, sep, price = pair.partition("=")
        if not sep:
            err_console.print(f"[red]error:[/] {pair!r} is not PREFIX=PRICE")
            raise typer.Exit(1)
        prices[prefix.strip()] = price.strip()
    return prices


def _print_price_list(price_list: Any) -> None:
    table = Table("prefix or network", f"price per part ({price_list.currency})")
    for prefix, price in sorted(price_list.per_part.items()):
        table.add_row(prefix or "(any other)", _amount(price))
    console.print(f"price list [bold]{price_list.name}[/]")
    console.print(table)


def _amount(value: Any) -> str:
    from smsgate.domain.pricing import amount_text

    return amount_text(value)


@prices_app.command("set")
def prices_set(
    name: str,
    prices: Annotated[
        list[str],
        typer.Argument(help="PREFIX=PRICE or MCC-MNC=PRICE, e.g. 48=0.16 260-01=0.12 =0.30"),
    ],
    currency: Annotated[str, typer.Option(help="ISO 4217 code of the prices")] = "EUR",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Create a price list or replace all its prices."""
    given = _price_pairs(prices)
    stored = _billing(data_dir, config, lambda s: s.put_price_list(name, currency, given))
    _print_price_list(stored)


@prices_app.command("show")
def prices_show(name: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """One price list."""
    _print_price_list(_billing(data_dir, config, lambda s: s.price_list(name)))


@prices_app.command("list")
def prices_list(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Every price list."""
    table = Table("name", "currency", "prefixes")
    for pl in _billing(data_dir, config, lambda s: s.price_lists()):
        table.add_row(pl.name, pl.currency, str(len(pl.per_part)))
    console.print(table)


@prices_app.command("remove")
def prices_remove(name: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Remove a price list no account uses."""
    _billing(data_dir, config, lambda s: s.remove_price_list(name))
    console.print(f"price list {name} removed")


def _networks(data_dir: Path | None, config: Path | None, work: Callable[[Any], Awaitable[T]]) -> T:
    from smsgate.services.billing import PriceBook
    from smsgate.services.networks import NetworkService

    return _on_store(data_dir, config, lambda db, _: NetworkService(db, PriceBook(db)), work)


def _plan_rows(path: Path) -> list[tuple[str, str, str, str]]:
    """The rows of a CSV numbering plan with a header naming prefix, mcc, mnc (and name)."""
    import csv

    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"prefix", "mcc", "mnc"} - set(reader.fieldnames or ())
        if missing:
            err_console.print(f"[red]error:[/] {path} has no column {', '.join(sorted(missing))}")
            raise typer.Exit(1)
        return [
            (r["prefix"] or "", r["mcc"] or "", r["mnc"] or "", r.get("name") or "") for r in reader
        ]


@networks_app.command("import")
def networks_import(
    plan: Annotated[Path, typer.Argument(help="CSV with columns prefix,mcc,mnc,name")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Replace the whole numbering plan with the ranges of a CSV file."""
    from smsgate.domain.networks import network_plan

    try:
        parsed = network_plan(_plan_rows(plan), row_name=lambda i: f"line {i + 2}")  # 1: header
    except DomainError as err:
        err_console.print(f"[red]error:[/] {plan}: {err.field}: {err.detail}")
        raise typer.Exit(1) from None
    stored = _networks(data_dir, config, lambda s: s.replace(parsed))
    console.print(f"numbering plan: {len(stored.by_prefix)} ranges")


@networks_app.command("list")
def networks_list(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """The numbering plan: the network of each number range."""
    table = Table("prefix", "network", "name")
    for prefix, n in sorted(_networks(data_dir, config, lambda s: s.plan()).by_prefix.items()):
        table.add_row(prefix, n.code, n.name)
    console.print(table)


def _contacts(
    data_dir: Path | None, config: Path | None, work: Callable[[Any, Any], Awaitable[T]]
) -> T:
    """Run `work(contacts, accounts)`: the contact and account services on the store."""
    from smsgate.services.accounts import AccountService
    from smsgate.services.contacts import ContactService

    return _on_store(
        data_dir, config, lambda db, _: (ContactService(db), AccountService(db)), lambda s: work(*s)
    )


@contacts_app.command("import")
def contacts_import(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX, with a header row")],
    account: Annotated[str, typer.Option(help="Whose address book")],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="COLUMN=FIELD (repeat): number, first_name, last_name, "
            "time_zone, groups, a custom field, or - to leave the column out",
        ),
    ] = None,
    group: Annotated[
        list[str] | None, typer.Option(help="Put every contact in it (repeat)")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Region of national numbers")] = None,
    skip_existing: Annotated[
        bool, typer.Option(help="Leave contacts the book has as they are")
    ] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Import contacts, with a progress bar and a summary; bad rows are listed by line."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from smsgate.domain.contact_import import mapping_of, parse_rows
    from smsgate.services.spreadsheets import read_table

    async def work(contacts: Any, accounts: Any) -> Any:
        owner = await accounts.account(account)
        table = read_table(file.read_bytes())
        given = mapping_of(map_ or [])
        parsed = parse_rows(table.header, table.rows, region or owner.default_region, given)
        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err_console,
        ) as bar:  # fmt: skip
            task = bar.add_task("importing", total=len(parsed.contacts))
            return await contacts.import_contacts(
                owner,
                parsed,
                groups=group or [],
                update_existing=not skip_existing,
                progress=lambda done: bar.update(task, completed=done),
            )

    summary = _contacts(data_dir, config, work)
    console.print(
        f"created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"duplicates {len(summary.duplicates)}, rejected {len(summary.errors)}"
    )
    for error in summary.errors[:20]:
        console.print(f"  line {error.line}: {error.field}: {error.reason}")
    if len(summary.errors) > 20:
        console.print(f"  ... and {len(summary.errors) - 20} more")


@contacts_app.command("export")
def contacts_export(
    account: Annotated[str, typer.Option(help="Whose address book")],
    output: Annotated[Path, typer.Option(help="The CSV file to write")],
    group: Annotated[str | None, typer.Option(help="Only this group")] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Write every contact (of a group) to a CSV file that `contacts import` reads back."""
    from smsgate.services.spreadsheets import csv_stream

    async def work(contacts: Any, accounts: Any) -> int:
        export = await contacts.export(await accounts.account(account), group)
        lines = 0
        with output.open("w", encoding="utf-8", newline="") as f:
            async for line in csv_stream(export.header, export.rows):
                f.write(line)
                lines += 1
        return lines - 1

    console.print(f"{_contacts(data_dir, config, work)} contacts written to {output}")


@contacts_app.command("list")
def contacts_list(
    account: Annotated[str, typer.Option(help="Whose address book")],
    search: Annotated[str | None, typer.Option(help="Part of a number or name")] = None,
    group: Annotated[str | None, typer.Option(help="Only this group")] = None,
    limit: Annotated[int, typer.Option(help="At most this many")] = 50,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Contacts in the order they were made."""

    async def work(contacts: Any, accounts: Any) -> Any:
        owner = await accounts.account(account)
        return (await contacts.page(owner, search=search, group=group, limit=limit))[0]

    table = Table("id", "number", "name", "groups", "opted out")
    for c in _contacts(data_dir, config, work):
        name = f"{c.data.first_name} {c.data.last_name}".strip()
        table.add_row(
            str(c.id), c.data.number, name, ", ".join(c.groups), "yes" if c.opted_out else ""
        )
    console.print(table)


@contacts_app.command("groups")
def contacts_groups(
    account: Annotated[str, typer.Option(help="Whose address book")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """The account's groups and how many contacts each has."""

    async def work(contacts: Any, accounts: Any) -> Any:
        return await contacts.groups(await accounts.account(account))

    table = Table("group", "contacts")
    for g in _contacts(data_dir, config, work):
        table.add_row(g.name, str(g.contacts))
    console.print(table)


@accounts_app.command("limits")
def accounts_limits(
    name: str,
    rate: Annotated[int | None, typer.Option(help="API requests a second (0: none)")] = None,
    concurrent: Annotated[int | None, typer.Option(help="API requests at once (0: none)")] = None,
    duplicate_window: Annotated[
        int | None, typer.Option(help="Seconds an identical send is refused (0: never)")
    ] = None,
    subscriber_max: Annotated[
        int | None, typer.Option(help="Messages to one number within the window (0: any)")
    ] = None,
    subscriber_window: Annotated[int | None, typer.Option(help="That window, seconds")] = None,
    quiet: Annotated[
        str | None, typer.Option(help="Quiet hours HH:MM-HH:MM: messages wait for their end")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Time zone of --quiet (default: the account's)")
    ] = None,
    reset: Annotated[bool, typer.Option(help="Back to the server's limits")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Show an account's limits, or set its own (the options given; the rest stay)."""
    from dataclasses import replace

    from smsgate.domain.limits import LimitOverrides

    given = {
        "rate_per_s": rate,
        "concurrent": concurrent,
        "duplicate_window_s": duplicate_window,
        "subscriber_max": subscriber_max,
        "subscriber_window_s": subscriber_window,
    }

    async def work(service: Any) -> Any:
        _, own, effective = await service.overrides_of(name)
        if not reset and all(v is None for v in given.values()) and quiet is None:
            return effective
        kept = {} if reset else {k: getattr(own, k) for k in given}
        changes = {k: v for k, v in given.items() if v is not None}
        merged = LimitOverrides(**(kept | changes))
        if quiet:
            merged = merged.with_quiet(quiet, timezone)
        elif not reset:
            merged = replace(
                merged, quiet=own.quiet, quiet_follows_account=own.quiet_follows_account
            )
        return (await service.set_overrides(name, merged))[2]

    effective = _limits(data_dir, config, work)
    table = Table("limit", "value")
    for label, value in (
        ("requests a second", effective.rate_per_s or "no limit"),
        ("requests at once", effective.concurrent or "no limit"),
        ("identical send refused for", f"{effective.duplicate_window_s} s"),
        (
            "messages to one number",
            f"{effective.subscriber_max or 'any'} within {effective.subscriber_window_s} s",
        ),
        (
            "quiet hours",
            f"{effective.quiet.hours} {effective.quiet.zone}" if effective.quiet else "none",
        ),
    ):
        table.add_row(label, str(value))
    console.print(table)


def _limits(data_dir: Path | None, config: Path | None, work: Callable[[Any], Awaitable[T]]) -> T:
    from smsgate.services.accounts import AccountService
    from smsgate.services.counters import MemoryCounters
    from smsgate.services.limits import LimitBook, LimitService

    def service(db: Any, settings: Settings) -> LimitService:
        book = LimitBook(db, settings.limits.as_limits())
        return LimitService(db, book, MemoryCounters(), AccountService(db))

    return _on_store(data_dir, config, service, work)


@accounts_app.command("billing")
def accounts_billing(
    name: str,
    price_list: Annotated[
        str | None, typer.Option("--price-list", help="The price list the account pays by")
    ] = None,
    unpriced: Annotated[
        bool, typer.Option("--unpriced", help="Send without charge (no price list)")
    ] = False,
    charge_on: Annotated[
        str | None,
        typer.Option(help="submit, or delivery: undelivered and expired messages refunded"),
    ] = None,
    credit_limit: Annotated[
        str | None, typer.Option(help="How far below zero the balance may go")
    ] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Show or set what an account pays (docs/billing.md)."""
    from smsgate.domain.pricing import ChargeOn

    if charge_on is not None and charge_on not in {c.value for c in ChargeOn}:
        err_console.print("[red]error:[/] --charge-on is submit or delivery")
        raise typer.Exit(1)

    async def work(s: Any) -> Any:
        if price_list or unpriced or charge_on or credit_limit:
            await s.set_terms(
                name,
                price_list=price_list,
                unpriced=unpriced,
                charge_on=ChargeOn(charge_on) if charge_on else None,
                credit_limit=credit_limit,
            )
        return await s.standing_of(name)

    _print_standing(_billing(data_dir, config, work))


def _print_standing(standing: Any) -> None:
    held = standing.balance
    table = Table("account", "balance", "credit limit", "available", "price list", "charge on")
    currency = f" {standing.currency}" if standing.currency else ""
    table.add_row(
        standing.account.name,
        _amount(held.balance) + currency,
        _amount(held.credit_limit),
        _amount(held.available),
        standing.price_list.name if standing.price_list is not None else "(none: free)",
        standing.account.charge_on.value,
    )
    console.print(table)


@balance_app.command("show")
def balance_show(account: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """An account's balance and terms."""
    _print_standing(_billing(data_dir, config, lambda s: s.standing_of(account)))


@balance_app.command("topup")
def balance_topup(
    account: str,
    amount: str,
    reason: Annotated[str, typer.Option(help="Why: kept in the ledger")],
    adjustment: Annotated[
        bool, typer.Option(help="A correction (may be negative) rather than money paid in")
    ] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Add money to an account's balance (or correct it with --adjustment)."""
    kind = "adjustment" if adjustment else "topup"
    standing = _billing(data_dir, config, lambda s: s.top_up(account, amount, reason, kind=kind))
    _print_standing(standing)


@balance_app.command("ledger")
def balance_ledger(
    account: str,
    limit: Annotated[int, typer.Option(help="Newest movements shown")] = 50,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Every movement of an account's balance, newest first."""
    from datetime import UTC, datetime

    table = Table("id", "at", "kind", "amount", "messages", "reason")
    for m in _billing(data_dir, config, lambda s: s.movements_of(account, limit=limit)):
        at = datetime.fromtimestamp(m.created_at / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(
            str(m.id), at, m.kind, _amount(m.amount), str(m.messages or ""), m.reason or ""
        )
    console.print(table)


def _connectors(
    data_dir: Path | None, config: Path | None, work: Callable[[Any], Awaitable[T]]
) -> T:
    """Run `work(ConnectorService)` on the store: a running server applies changes within
    about 2 s."""
    from smsgate.services.connectors import ConnectorService, configured_connectors

    return _on_store(
        data_dir, config, lambda db, s: ConnectorService(db, configured_connectors(s)), work
    )


def _option_pairs(options: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for option in options:
        key, equals, value = option.partition("=")
        if not equals or not key:
            raise typer.BadParameter(f"{option!r} is not key=value", param_hint="--option")
        pairs.append((key.strip(), value))
    return pairs


@connectors_app.command("add")
def connectors_add(
    name: str,
    kind: Annotated[str, typer.Option("--kind", help="Connector kind: simulator, smpp, ...")],
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-o",
            help="An option as key=value (repeat; a list option takes every value given)",
        ),
    ] = None,
    options_json: Annotated[
        str | None, typer.Option("--options-json", help="Options as one JSON object")
    ] = None,
    enabled: Annotated[bool, typer.Option(help="Start it at once")] = True,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Add a connector. A running server starts it within about 2 s."""
    from smsgate.connectors import registry

    options: dict[str, Any] = {}
    if options_json is not None:
        try:
            options = json.loads(options_json)
        except ValueError as exc:
            raise typer.BadParameter(f"not JSON: {exc}", param_hint="--options-json") from None
        if not isinstance(options, dict):
            raise typer.BadParameter("not a JSON object", param_hint="--options-json")

    async def add(service: Any) -> Any:
        given = {**options, **registry.from_text(kind, _option_pairs(option or []))}
        return await service.add(name, kind, given, enabled=enabled)

    view = _connectors(data_dir, config, add)
    state = "enabled" if view.enabled else "disabled"
    console.print(f"connector [bold]{view.name}[/] added ({view.kind}, {state})")


@connectors_app.command("remove")
def connectors_remove(name: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Stop and remove a connector added with the API or the CLI. Messages queued for it stay
    queued (shown as orphaned) until a connector of that name comes back or they expire."""
    _connectors(data_dir, config, lambda s: s.remove(name))
    console.print(f"connector {name} removed")


@connectors_app.command("enable")
def connectors_enable(name: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Run a disabled connector again (also one of the config file)."""
    _connectors(data_dir, config, lambda s: s.enable(name))
    console.print(f"connector {name} enabled")


@connectors_app.command("disable")
def connectors_disable(name: str, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Stop sending through a connector (also one of the config file): its queued messages
    wait, new ones go to another enabled connector."""
    _connectors(data_dir, config, lambda s: s.disable(name))
    console.print(f"connector {name} disabled")


def _binds(binds: list[Any]) -> str:
    return ", ".join(f"{b.mode}:{b.state}" for b in binds)


@connectors_app.command("list")
def connectors_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, with the options")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """List connectors with their live state on each node that runs them."""
    import msgspec

    from smsgate.services.clock import now_ms

    listing = _connectors(data_dir, config, lambda s: s.list())
    if as_json:
        views = [{**msgspec.to_builtins(v), "state": v.state} for v in listing.connectors]
        print(json.dumps({"data": views, "orphaned": listing.orphaned}))
        return
    # Names and states are what an operator types and looks for: never shortened.
    table = Table(
        Column("name", no_wrap=True, min_width=9), Column("kind", no_wrap=True), "source",
        "on", "queued", Column("node", no_wrap=True), Column("state", no_wrap=True), "binds",
        "window", "msg/s", "errors",
        box=box.SIMPLE_HEAD,
    )  # fmt: skip
    now = now_ms()
    last_errors = []
    for v in listing.connectors:
        head = (v.name, v.kind, v.source, "yes" if v.enabled else "no", str(v.queued))
        if not v.nodes:
            table.add_row(*head, "", v.state)
        for n in v.nodes:
            st = n.status
            age = f" (stale {(now - n.updated_at) // 1000} s)" if n.stale else ""
            table.add_row(
                *head,
                n.node,
                f"{st.state}{age}",
                _binds(st.binds),
                f"{st.in_flight}/{st.window}",
                f"{st.rate:g}",
                str(st.submit_errors),
            )
            head = ("", "", "", "", "")
            if st.last_error:
                last_errors.append(f"{v.name} on {n.node}: {st.last_error}")
    console.print(table)
    for line in last_errors:
        console.print(f"last error of {line}", markup=False, highlight=False)
    for name, count in listing.orphaned.items():
        console.print(
            f"[yellow]{count} message(s) queued for {name}, which is no longer defined[/]"
        )


def _client(url: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=60
    )


def _call(request: Callable[[], httpx.Response]) -> Any:
    try:
        response = request()
    except httpx.TransportError as exc:
        err_console.print(f"[red]error:[/] cannot reach smsgate: {exc}")
        raise typer.Exit(1) from None
    body = response.json()
    if response.status_code >= 400:
        error = body.get("error", {})
        err_console.print(f"[red]error {response.status_code}:[/] {error.get('message', body)}")
        for m in body.get("messages", []):
            if m.get("error"):
                err_console.print(f"  {m['to']}: {m['error']['message']}")
        raise typer.Exit(1)
    return body


@app.command()
def send(
    to: Annotated[list[str], typer.Option("--to", help="Recipient (repeat for several)")],
    text: Annotated[str, typer.Option("--text", help="Message text")],
    sender: Annotated[str | None, typer.Option("--from", help="Sender name or number")] = None,
    urgent: Annotated[bool, typer.Option(help="Send ahead of bulk traffic")] = False,
    test: Annotated[bool, typer.Option(help="Validate only; nothing is sent")] = False,
    url: ServerUrl = "http://127.0.0.1:8000",
    key: ApiKey = "demo.demo",
) -> None:
    """Send a message through a running smsgate."""
    body: dict[str, Any] = {"to": to, "text": text, "urgent": urgent, "test": test}
    if sender:
        body["sender"] = sender
    with _client(url, key) as client:
        result = _call(lambda: client.post("/v1/messages", json=body))
    table = Table("to", "id", "parts", "status")
    for m in result["messages"]:
        if "error" in m:
            table.add_row(m["to"], "", "", f"[red]{m['error']['message']}[/]")
        else:
            table.add_row(m["to"], m["id"], str(m["parts"]), m["status"])
    console.print(table)
    if result["test"]:
        console.print("[yellow]test mode: nothing was sent[/]")


@app.command()
def status(
    message_id: str,
    url: ServerUrl = "http://127.0.0.1:8000",
    key: ApiKey = "demo.demo",
) -> None:
    """Show one message and its status history."""
    with _client(url, key) as client:
        m = _call(lambda: client.get(f"/v1/messages/{message_id}"))
    console.print(f"[bold]{m['id']}[/] to {m['to']}: [bold]{m['status']}[/]")
    console.print(f"  {m['encoding']}, {m['parts']} part(s): {m['text']!r}")
    if m.get("error"):
        console.print(f"  error: {m['error']['code']} ({m['error']['message']})")
    for h in m["history"]:
        console.print(f"  {h['at']}  {h['status']}")


@app.command()
def messages(
    status_filter: Annotated[str | None, typer.Option("--status", help="Only this status")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
    url: ServerUrl = "http://127.0.0.1:8000",
    key: ApiKey = "demo.demo",
) -> None:
    """List recent messages as a table."""
    params: dict[str, Any] = {"limit": limit}
    if status_filter:
        params["status"] = status_filter
    with _client(url, key) as client:
        page = _call(lambda: client.get("/v1/messages", params=params))
    # Ids are what `smsgate status` takes: never shortened, whatever the terminal width.
    table = Table(
        Column("id", no_wrap=True, min_width=19), "to", "status", "parts", "created", "text"
    )
    for m in page["data"]:
        table.add_row(
            m["id"], m["to"], m["status"], str(m["parts"]), m["created_at"][:19], m["text"][:40]
        )
    console.print(table)
