#!/usr/bin/env python3
"""Checks every #include "..." in src/ and include/ against the layer table below.

Layers run one way (docs/architecture.md, CONVENTIONS.md rule 1): a file may include its
own layer and the layers below it, nothing above or beside it. The check reads the text,
so a header-only include that would build anyway still fails. Called by scripts/lint.sh;
prints file:line, the include and the rule for each violation and exits 1 if any.

  scripts/check_includes.py [repo]
"""

import pathlib
import re
import subprocess
import sys

# Layer -> the layers directly below it. It mirrors the CMake libraries (src/CMakeLists.txt
# and src/*/CMakeLists.txt); the allowed set is the transitive closure. engine/vm and
# engine/ns are siblings: both sit on engine/ (the Engine interface) and never include each
# other, and the layers above see only engine/ (engine.h), never one engine's internals.
BELOW = {
    "common": [],
    "os": ["common"],
    "protocol": ["os"],
    "config": ["os", "net"],
    "store": ["os"],
    "image": ["os"],
    "net": ["os"],
    # image: the namespace engine stores its writable layer as a tar (image/tree_archive.h).
    "engine": ["os", "image"],
    "engine/vm": ["engine"],
    "engine/ns": ["engine"],
    "runtime": ["engine", "protocol", "store", "config", "image", "net"],
    "sdk": ["runtime"],
    "cli": ["sdk", "mcp"],
    "server": ["sdk", "mcp"],
    "mcp": ["sdk"],
    "agent": ["protocol"],
}

# The public SDK headers (include/microsandbox/): the SDK implements them and the CLI is
# one of their users. Nothing else inside src/ may depend on the public API.
PUBLIC = "microsandbox"
PUBLIC_USERS = {"sdk", "cli", "server", "mcp"}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def allowed(layer):
    """The layer itself and everything below it."""
    seen, stack = set(), [layer]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(BELOW[current])
    return seen


def layer_of(path_in_src):
    """'engine/ns/launch.cc' -> 'engine/ns'; 'engine/engine.h' -> 'engine'; 'os/fd.h' -> 'os'."""
    parts = path_in_src.split("/")
    if len(parts) < 2:
        return None
    if parts[0] == "engine" and len(parts) > 2:
        return "engine/" + parts[1]
    return parts[0]


def check_file(path, rel, layer, problems):
    ok = allowed(layer) if layer in BELOW else set()
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        match = INCLUDE.match(line)
        if not match:
            continue
        target = match.group(1)
        target_layer = layer_of(target)
        where = f"{rel}:{number}: includes \"{target}\""
        if layer == PUBLIC:
            if target_layer != PUBLIC:
                problems.append(f"{where}: public headers include only microsandbox/ headers")
        elif target_layer == PUBLIC:
            if layer not in PUBLIC_USERS:
                users = ", ".join(sorted(PUBLIC_USERS))
                problems.append(f"{where}: only {users} may include the public SDK headers")
        elif target_layer not in BELOW:
            problems.append(f"{where}: not a known layer (write it as <layer>/<file>.h)")
        elif target_layer not in ok:
            rule = ", ".join(sorted(ok))
            problems.append(f"{where}: layer {layer} may include only {rule}")


def main():
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    files = subprocess.run(
        ["git", "ls-files", "--", "src/*.cc", "src/*.h", "src/*.def", "include/*.h"],
        cwd=repo, check=True, capture_output=True, text=True).stdout.split()
    problems = []
    for rel in files:
        if rel.startswith("include/"):
            layer = PUBLIC
        else:
            layer = layer_of(rel[len("src/"):])
            if layer not in BELOW:
                problems.append(f"{rel}: in no layer; add its directory to scripts/check_includes.py")
                continue
        check_file(repo / rel, rel, layer, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
