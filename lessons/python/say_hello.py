"""Python twin of lesson 00's say_hello: seed 004's coroutine, run the way the seed runs it and three
at once.

Usage: say_hello.py UNIT_SECONDS
Prints JSON: the time, in units, of asyncio.run over one say_hello (the seed's main), of three
say_hellos gathered on one event loop, and of three awaited one after the other; and the order of
the lines the gathered three printed."""
import asyncio
import json
import sys
import time

from interp import interpreter


async def say_hello(name, unit, lines):
    lines.append(f"{name}: Hello")
    await asyncio.sleep(unit)  # the event loop runs the others meanwhile
    lines.append(f"{name}: World")


def timed(coro):
    t = time.perf_counter()
    asyncio.run(coro)
    return time.perf_counter() - t


def main():
    unit = float(sys.argv[1])
    names = ["Ana", "Ben", "Chloé"]
    lines = []

    async def one():
        await say_hello("Ana", unit, [])

    async def gathered():
        await asyncio.gather(*(say_hello(n, unit, lines) for n in names))

    async def in_turn():
        for n in names:
            await say_hello(n, unit, [])

    print(json.dumps({
        "interpreter": interpreter(),
        "one_units": timed(one()) / unit,
        "gathered_units": timed(gathered()) / unit,
        "in_turn_units": timed(in_turn()) / unit,
        "gathered_lines": lines,
    }))


if __name__ == "__main__":
    main()
