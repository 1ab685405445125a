"""The workload per SPEC.md: the payments bench/wrk/payments.lua sends and the
answers they must get, to give nginx a real-sized body and to check each
configuration's first answer byte for byte."""

import hashlib


def lua_bodies(accounts=100000):
    """The payments bench/wrk/payments.lua sends, in order."""
    cur = ["USD", "EUR", "GBP", "JPY"]
    out = []
    for n in range(4096):
        i = (n * 7919 + 17) % accounts
        if i % 97 != 13:
            out.append((i, 100 + (n % 900), cur[i % 4]))
    return out


def payment_request(i, amount, currency):
    return (f'{{"account_id":"acc-{i:06d}","amount_cents":{amount},"currency":"{currency}",'
            f'"merchant":"corner-cafe","memo":"bench"}}')


def payment_response(i, amount, currency, rounds):
    account = f"acc-{i:06d}"
    salt = hashlib.sha256(f"salt:{account}".encode()).digest()[:16].hex()
    d = f"{account}|{amount}|{currency}|corner-cafe|bench|{salt}".encode()
    for _ in range(rounds):
        d = hashlib.sha256(d).digest()
    digest = d.hex()
    balance = 100000 + (i * 7919) % 10000000
    return (f'{{"payment_id":"pay-{digest[:16]}","account_id":"{account}",'
            f'"amount_cents":{amount},"currency":"{currency}","merchant":"corner-cafe",'
            f'"status":"authorized","balance_after_cents":{balance - amount},'
            f'"algorithm":"sha256","rounds":{rounds},"digest":"{digest}"}}')


def floor_body(accounts, rounds):
    """A real payment response whose size is the mean size of the script's."""
    bodies = lua_bodies(accounts)
    # the size depends only on the digits of amount and balance_after
    sizes = [len(payment_response(i, a, c, 1)) - 1 + len(str(rounds)) for i, a, c in bodies]
    mean = sum(sizes) / len(sizes)
    target = round(mean)
    for (i, a, c), size in zip(bodies, sizes):
        if size == target:
            return payment_response(i, a, c, rounds), mean
    i, a, c = bodies[0]
    return payment_response(i, a, c, rounds), mean
