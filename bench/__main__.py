"""python -m bench --products N [--sizes 10000,100000] [--repeat 3] [--smoke]

Runs every section side by side on the same MariaDB and Elasticsearch, prints the markdown report
and (unless --smoke) writes it to docs/benchmarks.md. Uses a bench-only database and bench-*
indices, and drops them at the end."""

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

from . import env


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000, help="catalog size for all sections")
    parser.add_argument("--sizes", default="", help="comma-separated sizes for the scaling section")
    parser.add_argument("--variants", type=int, default=1, help="variants per product (1 to 8)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--query-seconds", type=int, default=10, help="wrk duration per measurement")
    parser.add_argument("--lag-seconds", type=float, default=60)
    parser.add_argument(
        "--rates", default="20,50,100,150", help="command rates of the lag section (150: issue 13's goal)"
    )
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument(
        "--rebuild-only-sizes", default="", help="sizes at which only our rebuild is run (e.g. 1000000)"
    )
    parser.add_argument(
        "--raw-config",
        default="",
        help="helper:chunk:threads of the raw ceiling (e.g. parallel:1000:3) instead of sweeping them all",
    )
    parser.add_argument("--peers-max", type=int, default=100_000, help="largest size for the peers' reindex")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--sections",
        default="reindex,queries,process-model,lag,commands,workers,layouts,bulk",
        help="which sections to run",
    )
    parser.add_argument(
        "--bulk-products",
        type=int,
        default=0,
        help="products ingested by the bulk section (default --products)",
    )
    parser.add_argument("--bulk-batch", type=int, default=1000, help="operations per bulk request")
    parser.add_argument("--bulk-clients", type=int, default=2, help="concurrent bulk clients")
    parser.add_argument(
        "--throttle-rate",
        default="100000/s",
        help="DRF anon and user throttle rates for the bench server (a per-second window keeps the "
        "throttle's per-client history small; see docs/benchmarks.md)",
    )
    parser.add_argument(
        "--web-threads",
        type=int,
        default=1,
        help="threads per gunicorn worker in the query and lag sections (1: sync workers, as deployed; "
        "more: gthread)",
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        default=3,
        help="gunicorn workers in the query and lag sections (3, as deployed on 2 cores)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database and indices")
    parser.add_argument("--smoke", action="store_true", help="tiny run of every section; writes no docs")
    parser.add_argument("--output", default=str(env.ROOT / "docs" / "benchmarks.md"))
    return parser.parse_args()


def main() -> None:
    options = parse()
    if options.smoke:
        options.products, options.sizes, options.repeat = 300, "300", 1
        options.query_seconds, options.lag_seconds, options.rates, options.burst = 1, 2, "20", 60
        options.rebuild_only_sizes = ""
        options.bulk_products, options.bulk_batch = 300, 100
        # Variants with options, which the layouts section compares.
        options.variants = max(options.variants, 2)
    sizes = sorted({int(s) for s in options.sizes.split(",") if s} | {options.products})
    rebuild_only = sorted(int(s) for s in options.rebuild_only_sizes.split(",") if s)
    sections = set(options.sections.split(","))
    profile = not options.no_profile
    raw_configs = reindex_raw_configs(options)
    env.configure(smoke=options.smoke, throttle_rate=options.throttle_rate)
    env.create_database()
    env.delete_indices()
    import django

    django.setup()
    from . import (
        bulk,
        command_costs,
        data,
        lag,
        layouts,
        process_model,
        procs,
        profiling,
        queries,
        reindex,
        report,
        workers,
    )

    profile = profile and profiling.available()

    command = "python -m bench " + shlex.join(sys.argv[1:])
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    started = time.monotonic()
    results = report.Results(
        command=command,
        smoke=options.smoke,
        sizes=sizes,
        rebuild_only=rebuild_only,
        web_model=procs.web_model(workers=options.web_workers, threads=options.web_threads),
    )
    web = worker = None
    failure = None
    try:
        token = data.prepare_schema()
        for size in sizes:
            print(f"== {size:,} products [{(time.monotonic() - started) / 60:.1f} min]", flush=True)
            data.load_products(size, variants=options.variants)
            if "reindex" in sections:
                results.reindex[size] = reindex.run(
                    size,
                    repeat=options.repeat,
                    peers=size <= options.peers_max,
                    settle=not options.smoke,
                    raw_configs=raw_configs,
                )
            else:
                env.run_quiet(env.manage("search_index", "rebuild"))
            if "queries" in sections:
                web = procs.start_web(str(logs), workers=options.web_workers, threads=options.web_threads)
                results.queries[size] = queries.run(
                    size,
                    log_dir=str(logs),
                    repeat=options.repeat,
                    seconds=options.query_seconds,
                    warmup=0 if options.smoke else 1,
                    ablation=1 if options.smoke else 3,
                )
                if size == options.products and profile:
                    seconds = 1 if options.smoke else max(5, options.query_seconds)
                    results.profiles.update(report.profile_api(web, size, logs, seconds=seconds))
                web.stop()
                web = None
            if "process-model" in sections and size == options.products:
                print(f"== process models [{(time.monotonic() - started) / 60:.1f} min]", flush=True)
                results.process_models = process_model.run(
                    size, log_dir=str(logs), seconds=options.query_seconds, warmup=0 if options.smoke else 1
                )
        if "reindex" in sections and profile:
            print(f"== profile of our rebuild [{(time.monotonic() - started) / 60:.1f} min]", flush=True)
            results.profiles.update(report.profile_rebuild(Product_count(), logs))
        if "lag" in sections:
            print(f"== projection lag [{(time.monotonic() - started) / 60:.1f} min]", flush=True)
            web = procs.start_web(str(logs), workers=options.web_workers, threads=options.web_threads)
            worker = procs.start_worker(str(logs))
            results.lag_products = Product_count()
            results.lag = lag.run(
                token,
                rates=[float(r) for r in options.rates.split(",") if r],
                seconds=options.lag_seconds,
                burst=options.burst,
                warmup=20 if options.smoke else lag.WARMUP_COMMANDS,
            )
            worker.stop()
            web.stop()
            worker = web = None
        if "commands" in sections:
            print(f"== command costs [{(time.monotonic() - started) / 60:.1f} min]", flush=True)
            results.command_costs = command_costs.run(
                token, commands=30 if options.smoke else command_costs.COMMANDS
            )
        if "workers" in sections:
            minutes = (time.monotonic() - started) / 60
            print(f"== projection by worker processes [{minutes:.1f} min]", flush=True)
            results.workers_products = Product_count()
            results.workers = workers.run(
                str(logs), counts=(1, 2) if options.smoke else workers.WORKER_COUNTS
            )
        if "layouts" in sections:
            print(f"== index layouts for variants [{(time.monotonic() - started) / 60:.1f} min]", flush=True)
            results.layouts = layouts.run(questions_per_kind=20 if options.smoke else 200)
        if "bulk" in sections:
            print(f"== bulk ingest [{(time.monotonic() - started) / 60:.1f} min]", flush=True)
            web = procs.start_web(str(logs))
            worker = procs.start_worker(str(logs))
            results.bulk = bulk.run(
                token,
                products=options.bulk_products or options.products,
                batch=options.bulk_batch,
                clients=options.bulk_clients,
            )
            worker.stop()
            web.stop()
            worker = web = None
        for size in rebuild_only if "reindex" in sections else []:
            print(
                f"== {size:,} products, our rebuild only [{(time.monotonic() - started) / 60:.1f} min]",
                flush=True,
            )
            data.load_products(size, variants=options.variants)
            results.reindex[size] = reindex.run(size, repeat=1, peers=False, raw=False)
    except BaseException as error:
        failure = error
        results.failure = f"{type(error).__name__}: {error}"
        raise
    finally:
        for service in (worker, web):
            if service is not None:
                service.stop()
        if not options.keep:
            env.delete_indices()
            env.drop_database()
        results.minutes = (time.monotonic() - started) / 60
        if failure is None or (
            (results.reindex or results.queries or results.bulk or results.layouts or results.process_models)
            and not options.smoke
        ):
            text = report.render(results, report.kept_notes(Path(options.output)))
            print(text)
            if not options.smoke:
                Path(options.output).write_text(text)
                print(f"written to {options.output}")


def reindex_raw_configs(options: argparse.Namespace) -> list[tuple[str, int, int]]:
    from .reindex import RAW_CONFIGS

    if options.raw_config:
        helper, chunk, threads = options.raw_config.split(":")
        return [(helper, int(chunk), int(threads))]
    return RAW_CONFIGS[1:2] if options.smoke else RAW_CONFIGS


def Product_count() -> int:
    from catalog.models import Product

    return Product.objects.count()


if __name__ == "__main__":
    main()
