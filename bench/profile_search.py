"""Profile one endpoint in-process with pyinstrument, against a benchmark database.

``python -m bench.profile_search --size 1000 --backend opensearch --path '/sv/api/search/?q={q}'``
runs every benchmark query through Django's test client (the same middleware and views gunicorn
runs, without the network) and writes a text profile to ``build/bench/profiles/``. Why in
process: a sampling profiler attached to one gunicorn worker sees only its share of requests.
"""

from __future__ import annotations

import argparse
import os
from urllib.parse import quote

from bench import services
from bench.run import QUERIES

PROFILES = services.BUILD / "profiles"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_search")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--backend", default="database")
    parser.add_argument("--path", default="/sv/api/search/?q={q}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--name", default="search")
    parser.add_argument(
        "--show-all", action="store_true", help="keep library frames (Django, Wagtail) in the tree"
    )
    options = parser.parse_args()
    os.environ.update(services.site_env(options.size, options.backend))

    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_HOST="127.0.0.1")
    paths = [options.path.format(q=quote(query)) for query in QUERIES]
    for path in paths:  # warm-up: connections, caches, templates
        client.get(path)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(options.rounds):
            for path in paths:
                assert client.get(path).status_code == 200, path
    PROFILES.mkdir(parents=True, exist_ok=True)
    target = PROFILES / f"{options.name}-{options.size}-{options.backend}.txt"
    target.write_text(profiler.output_text(unicode=True, show_all=options.show_all))
    print(target)


if __name__ == "__main__":
    main()
