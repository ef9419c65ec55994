"""`bascule generate`: realistic synthetic exports of a département's collèges (Siècle-BEE,
STS-Web), for demonstrations, the tests and the benchmarks; the CLI reaches them here."""

from bascule.synthetic.generate import DEFAULT_SIZE as DEFAULT_SIZE
from bascule.synthetic.generate import GeneratedCollege as GeneratedCollege
from bascule.synthetic.generate import generate_campaigns as generate_campaigns
