#pragma once
// The edit journal: every step a session takes (apply, undo, redo) is appended to a file on disk
// and made durable (write + fdatasync) before apply() returns, so an edit the UI shows as done
// survives kill -9 or a power cut. An entry holds the states the step left its features in (not
// the command), so replaying a journal is idempotent: replaying it over a source that a save
// already reached changes nothing. After a save the journal starts over.
//
//   auto j = Journal::open(Journal::default_path(source), source);
//   if (j) (*j)->attach(session);        // from now on every step is journaled
//   ... session.apply(...); if (!(*j)->ok()) warn((*j)->error());
//   // next start:
//   auto entries = Journal::read(path);  // then Journal::replay(session, *entries)
//
// Format (one JSON object per line): a header {"format": "parktwin.edit-journal/1", "source": ...}
// and entries {"seq", "what", "changes": [{"layer", "fields", "states": [{"fid", "exists",
// "polygons": [[[[x, y], ...]]] (scene metres), "attrs": [...]}]}]}. A torn last line (the process
// died while writing it, so the step was never acknowledged) is ignored.
#include <memory>
#include <string>
#include <vector>

#include "parktwin/edit/edit.h"

namespace parktwin::edit {

struct JournalEntry {
  uint64_t seq = 0;
  std::string what;
  struct Change {
    std::string layer;
    std::vector<std::string> fields;   ///< attribute order of `states` when written
    std::vector<FeatureState> states;  ///< the states after the step
  };
  std::vector<Change> changes;
};

struct JournalContents {
  std::string source;
  std::vector<JournalEntry> entries;
  int torn_lines = 0;  ///< incomplete or unreadable lines skipped (at most the last one after a crash)
};

class Journal {
 public:
  /// Opens the journal at `path` for appending, creating it (and its folder) when missing. An
  /// existing journal for another source is refused (say which), and so is a journal another
  /// process has open (an exclusive lock, released when that process ends).
  static Result<std::unique_ptr<Journal>> open(const std::string& path, const std::string& source);
  ~Journal();

  /// Where a source's journal lives: beside a file (`FILE.ptjournal`), or for a database
  /// connection under $XDG_STATE_HOME (or ~/.local/state)/parktwin/journals/<hash>.ptjournal.
  static std::string default_path(const std::string& source);
  /// How a source is named in a journal: a password in a connection string is replaced by ***
  /// (the journal and its messages never hold it). Journals are matched to sources by this name.
  static std::string source_name(const std::string& source);
  /// Reads a journal; fails only when the file exists but is not a journal.
  static Result<JournalContents> read(const std::string& path);
  /// Restores every entry's states into the session, in order (no gate: these edits passed it
  /// when they were made). Fields are matched by name. Returns the number of entries replayed.
  static size_t replay(EditSession& s, const JournalContents& j);

  /// Appends one step and makes it durable before returning.
  Result<uint64_t> append(const std::string& what, const std::vector<EditSession::StepChange>& changes,
                          const EditSession& s);
  /// Every step from now on is appended (the session's observer).
  void attach(EditSession& s);
  /// After a successful save: the journal starts over, empty.
  Result<bool> clear();
  /// False once an append failed (disk full, I/O error); error() says what. Steps after that are
  /// still kept in memory but are not durable: the caller must tell the planner and save.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint64_t entries() const { return seq_; }
  const std::string& path() const { return path_; }

 private:
  Journal(std::string path, std::string source, int fd, uint64_t seq);
  std::string path_, source_;
  int fd_ = -1;
  uint64_t seq_ = 0;
  std::string error_;
};

}  // namespace parktwin::edit
