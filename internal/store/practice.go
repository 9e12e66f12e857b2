package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/config"
)

// Practice events (R63, practice.go in the root package). A run is a row
// of practice_runs with its participants; its practice incident is an
// incident whose practice_run_id names the run, its sandbox subscribers
// are subscribers with the same mark. The playbook loop plays the steps
// when they are due (playPractice), so a run goes on whoever started it
// and survives a restart; what the steps send goes through the outbox,
// whose claim holds back anything of the run meant for someone outside it
// (practice_guard.go).

// PracticeService runs practice events.
type PracticeService struct{ *core }

// practiceUpdate is the kind of a practice event that is an update on the
// sandbox status page.
const practiceUpdate = "update"

// StartPractice starts a run of a scenario now.
func (db *PracticeService) StartPractice(ctx context.Context, actor herald.Actor, in herald.PracticeStartInput) (*herald.PracticeRun, error) {
	if strings.TrimSpace(in.Scenario) == "" {
		return nil, herald.FieldErrors{"scenario": "is required: the scenario file's text (JSON or YAML)"}.Err()
	}
	if len(in.Scenario) > 1<<20 {
		return nil, herald.FieldErrors{"scenario": "must be at most 1 MiB"}.Err()
	}
	js, err := config.ScenarioJSON([]byte(in.Scenario))
	if err != nil {
		return nil, herald.FieldErrors{"scenario": err.Error()}.Err()
	}
	sc, err := herald.ParseScenario(js)
	if err != nil {
		return nil, err
	}
	for i, sub := range sc.Subscribers {
		if err := db.checkOutbound(ctx, sub.Kind, fmt.Sprintf("scenario.subscribers[%d].target", i), sub.Target); err != nil {
			return nil, err
		}
	}
	stored, _ := json.Marshal(sc)
	var runID string
	err = db.write(ctx, func(tx *tx) error {
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		fe := herald.FieldErrors{}
		// The participants: who started it, the scenario's, the request's.
		ids := []string{actor.User.ID}
		byRef := map[string]string{}
		add := func(field, ref string) {
			u, err := tx.user(ctx, ref)
			if err != nil {
				fe.Add(field, "no such user")
				return
			}
			byRef[strings.ToLower(strings.TrimSpace(ref))] = u.ID
			for _, id := range ids {
				if id == u.ID {
					return
				}
			}
			ids = append(ids, u.ID)
		}
		byRef[strings.ToLower(actor.User.Email)], byRef[actor.User.ID] = actor.User.ID, actor.User.ID
		for i, p := range sc.Participants {
			add(fmt.Sprintf("scenario.participants[%d]", i), p)
		}
		for i, p := range in.Participants {
			add(fmt.Sprintf("participants[%d]", i), p)
		}
		for i, st := range sc.Steps {
			for j, to := range st.To {
				if _, ok := byRef[strings.ToLower(strings.TrimSpace(to))]; !ok {
					fe.Add(fmt.Sprintf("scenario.steps[%d].to[%d]", i, j), "is not a participant of the run")
				}
			}
			if st.Service != "" {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM services WHERE id = $1 OR name = $1`, st.Service).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					fe.Add(fmt.Sprintf("scenario.steps[%d].service", i), "no such service")
				}
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		runID = newID()
		var number int64
		if err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'incident_number' RETURNING value`).Scan(&number); err != nil {
			return fmt.Errorf("next incident number: %w", err)
		}
		inc := &herald.Incident{ID: newID(), Number: number, Reference: settings.ReferencePrefix + "-" + strconv.FormatInt(number, 10),
			Title: herald.MarkPractice(sc.Title), Summary: sc.Summary, Severity: sc.Severity, State: herald.Investigating}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incidents (`+incidentColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16, $17)`,
			inc.ID, inc.Number, inc.Reference, inc.Title, inc.Summary, inc.Severity, inc.State, false,
			"[]", "[]", 1, actor.User.Name, micros(tx.now), micros(tx.now), "", "", nil); err != nil {
			return fmt.Errorf("insert practice incident: %w", mapErr(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET practice_run_id = $1 WHERE id = $2`, runID, inc.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO practice_runs (id, title, scenario, incident_id, started_by, started_at, next_step, components, status)
			VALUES ($1, $2, $3, $4, $5, $6, 0, '{}', $7)`, runID, sc.Title, string(stored), inc.ID, actor.User.ID, micros(tx.now), herald.Investigating); err != nil {
			return fmt.Errorf("record practice run: %w", err)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO practice_participants (run_id, user_id, added_at) VALUES ($1, $2, $3)`, runID, id, micros(tx.now)); err != nil {
				return fmt.Errorf("record participant: %w", err)
			}
		}
		for i, sub := range sc.Subscribers {
			sealed := ""
			st, err := tx.db.storeTarget(sub.Kind, sub.Target)
			if err != nil {
				return at(fmt.Sprintf("scenario.subscribers[%d].target", i), err)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO subscribers (id, kind, target, components, secret_enc, confirmed, paused, internal, failures, created_at, confirmed_at, practice_run_id, target_enc, target_hash)
				VALUES ($1, $2, $3, '[]', $4, $5, $6, $7, 0, $8, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
				newID(), sub.Kind, st.shown, sealed, true, false, sub.Internal, micros(tx.now), runID, st.sealed, st.hash)
			if err != nil {
				return fmt.Errorf("record sandbox subscriber: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				fe.Add(fmt.Sprintf("scenario.subscribers[%d].target", i), "is a subscriber already; a sandbox subscriber must be an address of its own")
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		text := fmt.Sprintf("%s started the practice run %q (%d steps)", actor.User.Name, sc.Title, len(sc.Steps))
		if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryDeclared, herald.PracticeMark+" "+text, map[string]any{"practice_run_id": runID}); err != nil {
			return err
		}
		return tx.practiceEvent(ctx, runID, -1, herald.PracticeStarted, actor.User.ID, text)
	})
	if err != nil {
		return nil, err
	}
	db.kick()
	return db.PracticeRun(ctx, runID)
}

// practiceEvent records a line of a run's timeline.
func (tx *tx) practiceEvent(ctx context.Context, runID string, step int, kind, userID, text string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO practice_events (id, run_id, at, step, kind, user_id, text) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		newID(), runID, micros(tx.now), step, kind, userID, cleanText(text, 2000))
	if err != nil {
		return fmt.Errorf("record practice event: %w", err)
	}
	return nil
}

// practiceRunOf is the practice run an incident belongs to, or "".
func (tx *tx) practiceRunOf(ctx context.Context, incidentID string) (string, error) {
	if incidentID == "" {
		return "", nil
	}
	var run string
	err := tx.QueryRowContext(ctx, `SELECT practice_run_id FROM incidents WHERE id = $1`, incidentID).Scan(&run)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return run, err
}

// practiceParticipant says whether a user takes part in a run.
func (tx *tx) practiceParticipant(ctx context.Context, runID, userID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM practice_participants WHERE run_id = $1 AND user_id = $2`, runID, userID).Scan(&n)
	return n > 0, err
}

type practiceRow struct {
	id, incidentID, status, components string
	startedAt                          time.Time
	next                               int
	sc                                 herald.Scenario
}

// playPractice is the playbook's rule for practice runs: it plays each
// open run's steps that are due at tx.now, in order, and ends a run whose
// finish_after has passed. The step counter moves in the same transaction
// as what a step does, so each step is played once.
func (tx *tx) playPractice(ctx context.Context, s herald.Settings) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, incident_id, scenario, started_at, next_step, components, status FROM practice_runs WHERE finished_at IS NULL ORDER BY started_at, id`)
	if err != nil {
		return fmt.Errorf("read practice runs: %w", err)
	}
	var runs []practiceRow
	for rows.Next() {
		var r practiceRow
		var scenario string
		var started int64
		if err := rows.Scan(&r.id, &r.incidentID, &scenario, &started, &r.next, &r.components, &r.status); err != nil {
			rows.Close()
			return err
		}
		r.startedAt = fromMicros(started)
		if err := json.Unmarshal([]byte(scenario), &r.sc); err != nil {
			rows.Close()
			return fmt.Errorf("practice run %s: read its scenario: %w", r.id, err)
		}
		runs = append(runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range runs {
		inc, err := tx.incident(ctx, r.incidentID)
		if err != nil {
			return err
		}
		i := r.next
		for ; i < len(r.sc.Steps) && !r.startedAt.Add(time.Duration(r.sc.Steps[i].At)).After(tx.now); i++ {
			if err := tx.playStep(ctx, s, &r, inc, i); err != nil {
				return fmt.Errorf("practice run %s, step %d: %w", r.id, i, err)
			}
		}
		if i != r.next {
			if _, err := tx.ExecContext(ctx, `UPDATE practice_runs SET next_step = $1, components = $2, status = $3 WHERE id = $4`, i, r.components, r.status, r.id); err != nil {
				return err
			}
		}
		if fa := time.Duration(r.sc.FinishAfter); fa > 0 && !r.startedAt.Add(fa).After(tx.now) {
			if err := tx.finishPractice(ctx, herald.Actor{}, r.id, inc, "the scenario's finish_after passed"); err != nil {
				return err
			}
		}
	}
	return nil
}

// playStep does one scenario step.
func (tx *tx) playStep(ctx context.Context, s herald.Settings, r *practiceRow, inc *herald.Incident, i int) error {
	st := r.sc.Steps[i]
	to, err := tx.practiceAudience(ctx, r.id, st.To)
	if err != nil {
		return err
	}
	sandbox := tx.db.links.PracticePage(r.id)
	var text string
	switch st.Kind {
	case herald.StepAlert, herald.StepPage:
		svc, err := scanService(tx.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = $1 OR name = $1`, st.Service))
		if err != nil {
			return fmt.Errorf("the step's service %q: %w", st.Service, err)
		}
		summary := herald.MarkPractice(st.Summary)
		pageID, err := tx.newPage(ctx, svc.ID, "practice/"+r.id+"/"+strconv.Itoa(i), summary, "critical", "practice "+inc.Reference, nil, inc.ID, "")
		if err != nil {
			return err
		}
		// The page reaches the participants named, never the service's
		// escalation policy: a practice page does not escalate.
		if _, err := tx.ExecContext(ctx, `UPDATE pages SET next_escalation_at = NULL, level = 0 WHERE id = $1`, pageID); err != nil {
			return err
		}
		people := make([]who, len(to))
		for k, id := range to {
			people[k] = who{id: id}
		}
		_, names, _, err := tx.notifyPeople(ctx, pageID, people, 0, 0)
		if err != nil {
			return err
		}
		tx.db.kick()
		text = fmt.Sprintf("%s on %s: %s; paged %s", st.Kind, svc.Name, st.Summary, nameList(names))
	case herald.StepPrompt:
		prompted, unreachable, err := tx.prompt(ctx, promptSpec{Kind: herald.PromptPractice, IncidentID: inc.ID, Occurrence: r.id + "/" + strconv.Itoa(i),
			Notice: herald.PracticePromptNotice(inc.Reference, inc.Title, st.Text, tx.db.links.Incident(inc.Reference))}, to...)
		if err != nil {
			return err
		}
		text = "prompt: " + st.Text + "; prompted " + nameList(prompted)
		if len(unreachable) > 0 {
			text += "; could not reach " + nameList(unreachable)
		}
	case herald.StepStatusUpdate:
		if st.Status != "" {
			r.status = string(st.Status)
		}
		comps := map[string]herald.ComponentStatus{}
		_ = json.Unmarshal([]byte(r.components), &comps)
		for name, cs := range st.Components {
			comps[name] = cs
		}
		b, _ := json.Marshal(comps)
		r.components = string(b)
		if err := tx.practiceEvent(ctx, r.id, i, practiceUpdate, "", "("+r.status+") "+st.Text); err != nil {
			return err
		}
		n := herald.PracticeStatusNotice(s.Page.Name, r.sc.Title, herald.State(r.status), st.Text, sandbox)
		if err := tx.broadcastAbout(ctx, inc.ID, n, nil, nil, "", "practice/"+r.id+"/"+strconv.Itoa(i)); err != nil {
			return err
		}
		text = "status update (" + r.status + ") on the sandbox page: " + st.Text
	case herald.StepStakeholderNotice:
		n := herald.PracticeStakeholderNotice(inc.Reference, r.sc.Title, st.Text, sandbox)
		if err := tx.broadcastAbout(ctx, inc.ID, n, nil, nil, "", "practice/"+r.id+"/"+strconv.Itoa(i)); err != nil {
			return err
		}
		text = "stakeholder notice to the sandbox's channels: " + st.Text
	}
	if err := tx.appendEntry(ctx, inc.ID, herald.Actor{}, herald.EntryNote, herald.PracticeMark+" step "+strconv.Itoa(i+1)+": "+text, map[string]any{"practice_run_id": r.id, "step": i}); err != nil {
		return err
	}
	return tx.practiceEvent(ctx, r.id, i, herald.PracticeStep, "", text)
}

func nameList(names []string) string {
	if len(names) == 0 {
		return "nobody"
	}
	return strings.Join(names, ", ")
}

// practiceAudience is the user ids a step names (e-mail or id), or every
// participant when it names none; only participants are ever returned.
func (tx *tx) practiceAudience(ctx context.Context, runID string, refs []string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.user_id, u.email FROM practice_participants p JOIN users u ON u.id = p.user_id WHERE p.run_id = $1 ORDER BY p.added_at, p.user_id`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []string
	byRef := map[string]string{}
	for rows.Next() {
		var id, email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, err
		}
		all = append(all, id)
		byRef[id], byRef[strings.ToLower(email)] = id, id
	}
	if err := rows.Err(); err != nil || len(refs) == 0 {
		return all, err
	}
	var out []string
	for _, ref := range refs {
		if id, ok := byRef[strings.ToLower(strings.TrimSpace(ref))]; ok {
			out = append(out, id)
		}
	}
	return out, nil
}

// FinishPractice ends a run.
func (db *PracticeService) FinishPractice(ctx context.Context, actor herald.Actor, id string) (*herald.PracticeRun, error) {
	err := db.write(ctx, func(tx *tx) error {
		var incidentID string
		var finished sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT incident_id, finished_at FROM practice_runs WHERE id = $1`, id).Scan(&incidentID, &finished)
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "no practice run %s", id)
		}
		if err != nil {
			return err
		}
		if finished.Valid {
			return herald.Errorf(herald.EConflict, "the practice run has finished already")
		}
		inc, err := tx.incident(ctx, incidentID)
		if err != nil {
			return err
		}
		return tx.finishPractice(ctx, actor, id, inc, "finished by "+actor.User.Name)
	})
	if err != nil {
		return nil, err
	}
	return db.PracticeRun(ctx, id)
}

// finishPractice ends a run: the steps left are not played, its pages and
// incident are resolved, and its sandbox subscribers are removed (their
// addresses are free again, and nothing more goes to them).
func (tx *tx) finishPractice(ctx context.Context, actor herald.Actor, runID string, inc *herald.Incident, why string) error {
	now := micros(tx.now)
	res, err := tx.ExecContext(ctx, `UPDATE practice_runs SET finished_at = $1 WHERE id = $2 AND finished_at IS NULL`, now, runID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pages SET status = 'resolved', resolved_at = $1, next_escalation_at = NULL WHERE incident_id = $2 AND status <> 'resolved'`, now, inc.ID); err != nil {
		return err
	}
	if inc.State != herald.Resolved {
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET state = 'resolved', resolved_at = $1, updated_at = $1, version = version + 1 WHERE id = $2`, now, inc.ID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET unsubscribed_at = $1 WHERE practice_run_id = $2 AND unsubscribed_at IS NULL`, now, runID); err != nil {
		return err
	}
	text := "The practice run ended: " + why
	if err := tx.appendEntry(ctx, inc.ID, actor, herald.EntryStateChange, herald.PracticeMark+" "+text, map[string]any{"practice_run_id": runID}); err != nil {
		return err
	}
	return tx.practiceEvent(ctx, runID, -1, herald.PracticeFinished, actor.User.ID, text)
}

const practiceRunColumns = `r.id, r.title, r.incident_id, i.reference, u.name, r.started_at, r.finished_at, r.next_step, r.scenario`

func (tx *tx) scanPracticeRun(row interface{ Scan(...any) error }) (herald.PracticeRun, error) {
	var r herald.PracticeRun
	var started int64
	var finished sql.NullInt64
	var scenario string
	if err := row.Scan(&r.ID, &r.Title, &r.IncidentID, &r.Reference, &r.StartedBy, &started, &finished, &r.Played, &scenario); err != nil {
		return r, err
	}
	r.StartedAt, r.FinishedAt = fromMicros(started), fromNullMicros(finished)
	var sc herald.Scenario
	if err := json.Unmarshal([]byte(scenario), &sc); err == nil {
		r.Steps, r.Scenario = len(sc.Steps), &sc
		r.Subscribers = sc.Subscribers
	}
	r.SandboxURL = tx.db.links.PracticePage(r.ID)
	r.Participants = []herald.PracticeParticipant{}
	return r, nil
}

// PracticeRuns lists runs, newest first.
func (db *PracticeService) PracticeRuns(ctx context.Context, limit int) ([]herald.PracticeRun, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	out := []herald.PracticeRun{}
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+practiceRunColumns+` FROM practice_runs r JOIN incidents i ON i.id = r.incident_id
			JOIN users u ON u.id = r.started_by ORDER BY r.started_at DESC, r.id DESC LIMIT $1`, limit)
		if err != nil {
			return fmt.Errorf("read practice runs: %w", err)
		}
		for rows.Next() {
			r, err := tx.scanPracticeRun(rows)
			if err != nil {
				rows.Close()
				return err
			}
			r.Scenario = nil
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Participants, err = tx.practiceParticipants(ctx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func (tx *tx) practiceParticipants(ctx context.Context, runID string) ([]herald.PracticeParticipant, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, u.email FROM practice_participants p JOIN users u ON u.id = p.user_id WHERE p.run_id = $1 ORDER BY p.added_at, u.name`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []herald.PracticeParticipant{}
	for rows.Next() {
		var p herald.PracticeParticipant
		if err := rows.Scan(&p.UserID, &p.Name, &p.Email); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PracticeRun is one run with its timeline: the steps played, what the
// sandbox held back, and what each participant did on the practice
// incident and its pages, oldest first.
func (db *PracticeService) PracticeRun(ctx context.Context, id string) (*herald.PracticeRun, error) {
	var r herald.PracticeRun
	err := db.read(ctx, func(tx *tx) (err error) {
		r, err = tx.practiceRun(ctx, id)
		if err != nil {
			return err
		}
		r.Timeline, err = tx.practiceTimeline(ctx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (tx *tx) practiceRun(ctx context.Context, id string) (herald.PracticeRun, error) {
	r, err := tx.scanPracticeRun(tx.QueryRowContext(ctx, `SELECT `+practiceRunColumns+` FROM practice_runs r JOIN incidents i ON i.id = r.incident_id
		JOIN users u ON u.id = r.started_by WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, herald.Errorf(herald.ENotFound, "no practice run %s", id)
	}
	if err != nil {
		return r, err
	}
	r.Participants, err = tx.practiceParticipants(ctx, id)
	return r, err
}

func (tx *tx) practiceTimeline(ctx context.Context, r herald.PracticeRun) ([]herald.PracticeEvent, error) {
	out := []herald.PracticeEvent{}
	rows, err := tx.QueryContext(ctx, `SELECT e.at, e.kind, e.step, COALESCE(u.name, ''), e.text FROM practice_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.run_id = $1 ORDER BY e.at, e.id`, r.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e herald.PracticeEvent
		var at int64
		if err := rows.Scan(&at, &e.Kind, &e.Step, &e.User, &e.Text); err != nil {
			rows.Close()
			return nil, err
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	rows.Close()
	// What the participants did: their entries on the practice incident's
	// timeline, and their acknowledgements of its pages.
	rows, err = tx.QueryContext(ctx, `SELECT t.at, t.actor, t.text FROM timeline t JOIN practice_participants p ON p.user_id = t.actor_id AND p.run_id = $1
		WHERE t.incident_id = $2 AND t.kind <> 'declared' ORDER BY t.at, t.id`, r.ID, r.IncidentID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		e := herald.PracticeEvent{Kind: herald.PracticeAction, Step: -1}
		var at int64
		if err := rows.Scan(&at, &e.User, &e.Text); err != nil {
			rows.Close()
			return nil, err
		}
		if strings.HasPrefix(e.Text, herald.PracticeMark) {
			continue // the run's own lines (finished by a participant)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT acked_at, acked_by, summary FROM pages WHERE incident_id = $1 AND acked_at IS NOT NULL`, r.IncidentID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		e := herald.PracticeEvent{Kind: herald.PracticeAction, Step: -1}
		var at int64
		var summary string
		if err := rows.Scan(&at, &e.User, &summary); err != nil {
			rows.Close()
			return nil, err
		}
		e.At, e.Text = fromMicros(at), "acknowledged the page "+summary
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortEvents(out)
	return out, nil
}

func sortEvents(ev []herald.PracticeEvent) {
	for i := 1; i < len(ev); i++ {
		for j := i; j > 0 && ev[j].At.Before(ev[j-1].At); j-- {
			ev[j], ev[j-1] = ev[j-1], ev[j]
		}
	}
}

// SandboxPage is a run's status page: a copy of the components with the
// run's statuses over them, and the run's updates, newest first.
func (db *PracticeService) SandboxPage(ctx context.Context, id string) (*herald.SandboxPage, error) {
	var p herald.SandboxPage
	err := db.read(ctx, func(tx *tx) error {
		r, err := tx.practiceRun(ctx, id)
		if err != nil {
			return err
		}
		r.Scenario = nil
		p.Run = r
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		p.PageName = settings.Page.Name
		var comps string
		if err := tx.QueryRowContext(ctx, `SELECT components, status FROM practice_runs WHERE id = $1`, id).Scan(&comps, &p.Status); err != nil {
			return err
		}
		set := map[string]herald.ComponentStatus{}
		_ = json.Unmarshal([]byte(comps), &set)
		rows, err := tx.QueryContext(ctx, `SELECT name, status FROM components WHERE deleted_at IS NULL AND is_group = $1 ORDER BY position, name`, false)
		if err != nil {
			return err
		}
		p.Components = []herald.SandboxComponent{}
		for rows.Next() {
			var c herald.SandboxComponent
			if err := rows.Scan(&c.Name, &c.Status); err != nil {
				rows.Close()
				return err
			}
			if s, ok := set[c.Name]; ok {
				c.Status = s
			}
			p.Components = append(p.Components, c)
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT at, step, text FROM practice_events WHERE run_id = $1 AND kind = $2 ORDER BY at DESC, id DESC`, id, practiceUpdate)
		if err != nil {
			return err
		}
		defer rows.Close()
		p.Updates = []herald.PracticeEvent{}
		for rows.Next() {
			e := herald.PracticeEvent{Kind: practiceUpdate}
			var at int64
			if err := rows.Scan(&at, &e.Step, &e.Text); err != nil {
				return err
			}
			e.At = fromMicros(at)
			p.Updates = append(p.Updates, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// TrainingEvents counts, per user id, the practice runs started in
// [from, to) that the user took part in: each is a training event (R62).
func (db *PracticeService) TrainingEvents(ctx context.Context, from, to time.Time) (map[string]int, error) {
	out := map[string]int{}
	err := db.read(ctx, func(tx *tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT p.user_id, count(*) FROM practice_participants p JOIN practice_runs r ON r.id = p.run_id
			WHERE r.started_at >= $1 AND r.started_at < $2 GROUP BY p.user_id`, micros(from), micros(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	return out, err
}
