"""A lab check must accept an answer within its tolerance and reject one outside it.

Used instead of ``verdict(q, expected(q))``, which passes whatever ``expected`` returns: this
moves each numeric answer to just inside and just outside the question's tolerance.
"""

import numpy as np


def assert_tolerance_is_honoured(lab: str) -> int:
    """For every numeric question of ``lab``: inside the tolerance passes, outside fails.
    Returns how many questions were numeric."""
    from energylab.checks import _questions, expected, question_ids, verdict

    n = 0
    for qid in question_ids(lab):
        q = _questions(qid)[qid]
        value = expected(qid)
        if isinstance(value, (bool, np.bool_, str)) or np.asarray(value).dtype.kind not in "if":
            continue
        v = np.asarray(value, dtype=float)
        if not np.all(v != 0) or q.rtol <= 0:
            continue
        n += 1
        assert verdict(qid, v * (1 + 0.5 * q.rtol) + np.sign(v) * 0.5 * q.atol) is True, qid
        assert verdict(qid, v * (1 + 3 * q.rtol) + np.sign(v) * 3 * q.atol) is False, qid
    return n
