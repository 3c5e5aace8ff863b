#!/usr/bin/env python3
"""SVM's consensus hashes and encodings, implemented again from docs/consensus.md alone (Python, blake3).

It recomputes every hash and encoding vector in corpus/conformance/, and the worked example of the document:
the gas of counter.inc and the state root and receipt hash after it, from first principles. A mismatch means
the document, the vectors or the runtime is wrong. Run: `pip install blake3==1.0.11; python3 scripts/consensus_by_hand.py`.
"""
import glob
import json
import os
import sys

import blake3, struct

ZERO = bytes(32)
PAGE_KEY = b"svm/v1/page-hash/..............."
PTREE_KEY = b"svm/v1/page-tree-node/.........."
LEAF_KEY = b"svm/v1/account-trie/leaf........"
TRIE_KEY = b"svm/v1/account-trie/node........"
COLL_LEAF_KEY = b"svm/v1/collection/leaf.........."
COLL_NODE_KEY = b"svm/v1/collection/node.........."
for k in (PAGE_KEY, PTREE_KEY, LEAF_KEY, TRIE_KEY, COLL_LEAF_KEY, COLL_NODE_KEY): assert len(k) == 32, k

def H(b): return blake3.blake3(b).digest()
def KH(key, b): return blake3.blake3(b, key=key).digest()
def u8(v): return struct.pack('<B', v)
def u32(v): return struct.pack('<I', v)
def u64(v): return struct.pack('<Q', v)
def bstr(b): return u32(len(b)) + b
def boolean(v): return u8(1 if v else 0)

# identifiers
def code_hash(code): return H(code)
def contract_address(author, nonce, ch): return H(author + u64(nonce) + ch)[:20]
FEE_ACCOUNT = H(b"svm/v1/fee-account")[:20]

# encodings
VT = {'i32': 0x7F, 'i64': 0x7E, 'f32': 0x7D, 'f64': 0x7C}
def enc_value(ty, v):
    return u8(VT[ty]) + (u32(v & 0xffffffff) if ty in ('i32', 'f32') else u64(v & 0xffffffffffffffff))
def enc_slices(slices): return u32(len(slices)) + b''.join(u32(p) + u32(o) + u32(l) for p, o, l in slices)
def enc_layout(page_count, slices): return u32(page_count) + enc_slices(slices)
def enc_meta(code_len, page_count, slices, exports, libraries=()):
    # exports: dict name(str) -> (params[list of type codes], results); libraries: code hashes, listed only if any
    out = u32(code_len) + enc_layout(page_count, slices) + u32(len(exports))
    for name in sorted(exports, key=lambda s: s.encode()):
        ps, rs = exports[name]
        out += bstr(name.encode()) + u32(len(ps)) + bytes(ps) + u32(len(rs)) + bytes(rs)
    if libraries:
        out += u32(len(libraries)) + b''.join(libraries)
    return out
def meta_hash(*a): return H(enc_meta(*a))
def enc_account(balance, nonce, contract=None, library=None):
    # kind: 0 plain, 1 contract (code, meta, state), 2 library (its code hash)
    if contract is not None:
        ch, mh, st = contract
        return u64(balance) + u64(nonce) + u8(1) + ch + mh + st
    if library is not None:
        return u64(balance) + u64(nonce) + u8(2) + library
    return u64(balance) + u64(nonce) + u8(0)
def library_address(ch): return H(b"svm-library" + ch)[:20]
def enc_event(contract, topics, data, expires):
    assert all(len(t) == 32 for t in topics) and len(topics) <= 4
    return contract + u8(len(topics)) + b''.join(topics) + bstr(data) + u64(expires)
def enc_call(depth, caller, callee, function, cls, detail, gas_used, value):
    return u8(depth) + caller + callee + bstr(function.encode()) + u8(cls) + u8(detail) + u64(gas_used) + u64(value)
def enc_receipt_consensus(cls, detail, gas_used, contract=None, state=None, returns=(), returndata=b'', logs=(), events=(), calls=()):
    out = u8(cls) + u8(detail) + u64(gas_used)
    out += boolean(contract is not None) + (contract or b'')
    out += boolean(state is not None) + (state or b'')
    out += u32(len(returns)) + b''.join(enc_value(t, v) for t, v in returns)
    out += bstr(returndata) + u32(len(logs)) + b''.join(bstr(l) for l in logs)
    out += u32(len(events)) + b''.join(enc_event(*e) for e in events)
    out += u32(len(calls)) + b''.join(enc_call(*c) for c in calls)
    return out
STATE_ROOT_KEY = b"svm/v1/state/root..............."
def state_root_with_events(accounts, events):
    return accounts if events == ZERO else KH(STATE_ROOT_KEY, accounts + events)
def receipt_hash(*a, **k): return H(enc_receipt_consensus(*a, **k))

# pages
PAGE_SIZE = 4096
def page_hash(address, index, page):
    assert len(page) == PAGE_SIZE
    if page == bytes(PAGE_SIZE): return ZERO
    return KH(PAGE_KEY, page + u32(index) + address)
def ptree_node(l, r):
    if l == ZERO and r == ZERO: return ZERO
    return KH(PTREE_KEY, l + r)
def tree_depth(n): return max(0, (n - 1)).bit_length()
def contract_state(address, page_count, pages):
    """pages: dict index -> 4096 bytes (absent = zero)."""
    d = tree_depth(page_count)
    level = [page_hash(address, i, pages[i]) if i in pages else ZERO for i in range(1 << d)]
    level = [h if i < page_count else ZERO for i, h in enumerate(level)]
    while len(level) > 1:
        level = [ptree_node(level[2*i], level[2*i+1]) for i in range(len(level)//2)]
    return level[0] if page_count > 0 else ZERO

# account trie
def key_path(address): return H(address)
def bit(key, d): return (key[d // 8] >> (7 - d % 8)) & 1
def leaf_hash(address, account_bytes): return KH(LEAF_KEY, address + account_bytes)
def trie_node(l, r): return KH(TRIE_KEY, l + r)
def state_root(accounts):
    """accounts: dict address(20 bytes) -> encoded account bytes."""
    items = [(key_path(a), a, b) for a, b in accounts.items()]
    def R(items, d):
        if not items: return ZERO
        if len(items) == 1: return leaf_hash(items[0][1], items[0][2])
        return trie_node(R([x for x in items if bit(x[0], d) == 0], d + 1),
                         R([x for x in items if bit(x[0], d) == 1], d + 1))
    return R(items, 0)

# collections: the crit-bit tree, from its recursive definition
def collection_root(width, entries):
    if not entries: return ZERO
    if len(entries) == 1:
        (k, v), = entries.items()
        return KH(COLL_LEAF_KEY, u8(width) + k + v)
    b = next(d for d in range(8 * width) if len({bit(k, d) for k in entries}) == 2)
    halves = [{k: v for k, v in entries.items() if bit(k, b) == side} for side in (0, 1)]
    return KH(COLL_NODE_KEY, struct.pack('>H', b) + collection_root(width, halves[0]) + collection_root(width, halves[1]))

def hx(s): return bytes.fromhex(s)
TY = {'i32':'i32','i64':'i64','f32':'f32','f64':'f64'}
def vals(lst): return [(k, v) for d in lst for k, v in d.items()]
def acct(d):
    c = d.get("contract")
    lib = d.get("library")
    return enc_account(d["balance"], d["nonce"], None if c is None else (hx(c["code_hash"]), hx(c["meta_hash"]), hx(c["state"])),
                       None if lib is None else hx(lib))
# The outcome codes these vectors use (docs/consensus.md, Outcomes).
OUTCOMES = {"success": (0, 0), "out-of-gas": (2, 0), "stack-exhausted": (3, 0), "trap:unreachable": (4, 0),
            "refused:no-such-function": (6, 0), "refused:no-such-contract": (6, 3), "refused:call-depth": (6, 4),
            "refused:reentry": (6, 5), "refused:call-value": (6, 6)}
def outcome(name):
    if name not in OUTCOMES:
        raise ValueError("no outcome code written down here for " + name)
    return OUTCOMES[name]
def receipt(i):
    cls, det = outcome(i["outcome"])
    return enc_receipt_consensus(cls, det, i["gas_used"], contract=hx(i["contract"]) if i.get("contract") else None,
        state=hx(i["state"]) if i.get("state") else None, returns=vals(i["returns"]), returndata=hx(i["returndata"]),
        logs=[hx(l) for l in i["logs"]],
        events=[(hx(e["contract"]), [hx(t) for t in e["topics"]], hx(e["data"]), e["expires"]) for e in i.get("events", [])],
        calls=[(c["depth"], hx(c["caller"]), hx(c["callee"]), c["function"], *outcome(c["outcome"]), c["gas_used"], c["value"])
               for c in i.get("calls", [])])
def tx(i):
    if "transfer" in i:
        t = i["transfer"]; return u8(2) + u8(2) + hx(t["from"]) + hx(t["to"]) + u64(t["nonce"]) + u64(t["amount"]) + u64(t["gas_price"])
    if "execute" in i:
        e = i["execute"]
        return (u8(2) + u8(1) + hx(e["contract"]) + hx(e["sender"]) + u64(e["nonce"]) + bstr(e["function"].encode())
            + u32(len(e["args"])) + b''.join(enc_value(t, v) for t, v in vals(e["args"])) + bstr(hx(e["calldata"]))
            + u64(e["gas_limit"]) + u64(e["gas_price"]) + u64(e["value"]))
    if "deploy_library" in i:
        l = i["deploy_library"]
        return u8(2) + u8(3) + hx(l["author"]) + u64(l["nonce"]) + bstr(hx(l["code"])) + u64(l["gas_limit"]) + u64(l["gas_price"])
    raise Exception(i)

F = {
 "code_hash": lambda i: code_hash(hx(i["code"])),
 "contract_address": lambda i: contract_address(hx(i["author"]), i["nonce"], hx(i["code_hash"])),
 "fee_account": lambda i: FEE_ACCOUNT,
 "library_address": lambda i: library_address(hx(i["code_hash"])),
 "page_hash": lambda i: page_hash(hx(i["address"]), i["index"], hx(i["page"])),
 "page_tree_node": lambda i: ptree_node(hx(i["left"]), hx(i["right"])),
 "contract_state": lambda i: contract_state(hx(i["address"]), i["page_count"], {int(k): hx(v) for k, v in i["pages"].items()}),
 "state_root": lambda i: state_root({hx(a["address"]): acct(a) for a in i["accounts"]}),
 "collection_root": lambda i: collection_root(i["width"], {hx(k): hx(v) for k, v in i["entries"]}),
 "account_encoding": acct,
 "receipt_hash": lambda i: H(receipt(i)),
 "receipt_encoding": lambda i: u8(2) + receipt(i) + bstr(i["diagnostic"].encode()),
 "transaction_encoding": tx,
 "state_root_with_events": lambda i: state_root_with_events(hx(i["accounts"]), hx(i["events"])),
 "contract_meta_hash": lambda i: meta_hash(i["code_len"], i["page_count"], [tuple(s) for s in i["slices"]],
        {n: ([VT[t] for t in s["params"]], [VT[t] for t in s["results"]]) for n, s in i["exports"].items()},
        [hx(h) for h in i.get("libraries", [])]),
}


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "conformance")


def check_vectors():
    """Every hash and encoding vector, recomputed; returns the number of mismatches."""
    bad = 0
    files = sorted(glob.glob(os.path.join(ROOT, "hash.*.json")) + glob.glob(os.path.join(ROOT, "encoding.*.json")))
    for path in files:
        vector = json.load(open(path))
        got = F[vector["function"]](vector["inputs"]).hex()
        if got != vector["output"]:
            bad += 1
            print("MISMATCH", vector["name"], got, vector["output"])
    print(f"{len(files)} hash and encoding vectors recomputed, {bad} mismatches")
    return bad


def counter_walkthrough():
    """The document's worked example: counter.inc's gas, state root and receipt hash."""
    vector = json.load(open(os.path.join(ROOT, "walkthrough.counter-increment.json")))
    stream = vector["stream"]
    genesis = {hx(a): b for a, b in stream["header"]["genesis"]}
    (contract_json,) = stream["header"]["contracts"]
    code = hx(contract_json["wasm"])
    user = hx(stream["txs"][0]["tx"]["deploy"]["author"])
    # Gas (sections Intrinsic gas, Metered blocks, Storage page gas and docs/vmcalls.md):
    deploy_gas = 50_000 + 2_000 * len(code) + 100 * 1
    intrinsic = 20_000 + 10 * len(code)
    block_1 = 1 + 5            # i32.const 0, call $read        (charged before the call)
    read = 40 + (500 + 125 * 0)  # storage_read_i64 + first access to page 0 (depth 0)
    block_2 = 1 + 1 + 1 + 1 + 1 + 5  # i64.const 1, i64.add, local.set, i32.const 0, local.get, call $write
    write = 100 + (2_000 + 400 * 0)  # storage_write_i64 + first write to page 0 (already accessed)
    block_3 = 1 + 0            # local.get, end
    inc_gas = intrinsic + block_1 + read + block_2 + write + block_3
    # State after deploy and the first inc (gas price 1 for both):
    address = contract_address(user, 0, code_hash(code))
    meta = meta_hash(len(code), 1, [(0, 0, 8)], {n: (p, [VT["i64"]]) for n, p in
                                                 (("inc", []), ("add", [VT["i64"]]), ("get", []))})
    page = (1).to_bytes(8, "little") + bytes(PAGE_SIZE - 8)
    state = contract_state(address, 1, {0: page})
    accounts = {a: enc_account(b, 0) for a, b in genesis.items()}
    accounts[user] = enc_account(genesis[user] - deploy_gas - inc_gas, 2)
    accounts[FEE_ACCOUNT] = enc_account(deploy_gas + inc_gas, 0)
    accounts[address] = enc_account(0, 0, (code_hash(code), meta, state))
    root = state_root(accounts)
    receipt = H(enc_receipt_consensus(0, 0, inc_gas, contract=address, state=state, returns=[("i64", 1)]))
    expect = vector["expect"][1]
    print(f"counter.inc: {len(code)} code bytes; gas {intrinsic} intrinsic + {block_1} + {read} + {block_2} + {write}"
          f" + {block_3} = {inc_gas} (runtime: {expect['gas_used']})")
    print(f"  contract {address.hex()} state {state.hex()}")
    print(f"  root {root.hex()} (runtime: {expect['root']})")
    print(f"  receipt hash {receipt.hex()} (runtime: {expect['receipt_hash']})")
    wrong = [inc_gas == expect["gas_used"], root.hex() == expect["root"], receipt.hex() == expect["receipt_hash"],
             address.hex() == expect["contract"], state.hex() == expect["state"]].count(False)
    return wrong


if __name__ == "__main__":
    failures = check_vectors() + counter_walkthrough()
    print("all match" if failures == 0 else f"{failures} MISMATCHES")
    sys.exit(1 if failures else 0)
