"""An import-linter contract type: a package may import, outside the project, only the
standard library and the modules it names.

import-linter's own `forbidden` contract needs the forbidden list spelled out, so a
package it does not name (`babel` in `queue_core`, say) would pass unseen; this one
names what is allowed instead. Registered in `pyproject.toml` as `allowlist`.
"""

from __future__ import annotations

import sys

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AllowlistContract(Contract):
    """Options: `source_modules` (packages checked), `allowed_modules` (top-level names
    they may import besides the standard library and themselves), `ignore_imports`
    (exact `importer -> imported` pairs let through, each one a documented exception)."""

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        allowed = {str(name) for name in self.allowed_modules}
        ignored = {str(pair).replace(" ", "") for pair in self.ignore_imports or []}
        broken: list[str] = []
        for source in self.source_modules:
            package = source.name
            for importer in sorted({package, *graph.find_descendants(package)}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    top = imported.split(".")[0]
                    if top == package or top in allowed or top in sys.stdlib_module_names:
                        continue
                    if f"{importer}->{imported}" in ignored:
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = ", ".join(f"l.{d['line_number']}" for d in details)
                    broken.append(f"{importer} -> {imported} ({lines})")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["broken"]:
            output.print_error(f"- {line}", bold=False)
        output.new_line()
