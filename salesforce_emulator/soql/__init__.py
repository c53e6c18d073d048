"""A SOQL subset: a tokenizer, a recursive-descent parser and an evaluator over the org's records."""

from .evaluate import QueryResult, run_query
from .lexer import SoqlSyntaxError
from .parser import parse

__all__ = ["QueryResult", "SoqlSyntaxError", "parse", "run_query"]
