"""The subsidy ledger (补贴): each year's allowances per instructor and district, the district's
and the city's shares (storage/subsidies/ledger.py). The roster's 月补贴 and 区承担比例 columns
feed it (storage/people/roster.py)."""
