#pragma once
// `parktwin edit`: apply a file of edit commands to a source headless, print the planning
// indicators and any refusals, and save transactionally (docs/editing.md).
namespace parktwin::editcli {
int run_edit(int argc, char** argv);
}
