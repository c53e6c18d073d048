"""Record ids: 18-character case-safe ids and their checksum."""

from hypothesis import given
from hypothesis import strategies as st

from salesforce_emulator.ids import case_safe_suffix, make_id, normalize_id


def test_checksum_matches_salesforce_example():
    # Salesforce's documented example: 001A0000006Vm9r is 001A0000006Vm9rIAC in its 18-character form.
    assert case_safe_suffix("001A0000006Vm9r") == "IAC"
    assert normalize_id("001A0000006Vm9r") == "001A0000006Vm9rIAC"


def test_made_ids_have_prefix_length_and_valid_suffix():
    record_id = make_id("00T", 12345)
    assert len(record_id) == 18 and record_id.startswith("00T")
    assert normalize_id(record_id[:15]) == record_id


@given(st.integers(min_value=0, max_value=62**10 - 1), st.sampled_from(["001", "003", "00Q", "00T", "005"]))
def test_any_case_of_an_18_character_id_is_restored(serial, prefix):
    record_id = make_id(prefix, serial)
    assert normalize_id(record_id.lower()) == record_id
    assert normalize_id(record_id.upper()) == record_id


def test_malformed_ids_are_refused():
    assert normalize_id("not-an-id") is None
    assert normalize_id("001A0000006Vm9rZZZ") is None  # suffix that no case can satisfy
    assert normalize_id(12345) is None
    assert normalize_id("001A0000006Vm9") is None
