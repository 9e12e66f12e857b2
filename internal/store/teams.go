package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

// Teams lists every team by name, with members and what it owns.
func (db *TeamService) Teams(ctx context.Context) ([]herald.Team, error) {
	var out []herald.Team
	err := db.read(ctx, func(tx *tx) error {
		ids, err := tx.ids(ctx, "list teams", `SELECT id FROM teams ORDER BY name`)
		if err != nil {
			return err
		}
		out = []herald.Team{}
		for _, id := range ids {
			t, err := tx.team(ctx, id)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// Team reads a team by id or name.
func (db *TeamService) Team(ctx context.Context, ref string) (herald.Team, error) {
	var t herald.Team
	err := db.read(ctx, func(tx *tx) (err error) {
		t, err = tx.team(ctx, ref)
		return err
	})
	return t, err
}

// CreateTeam adds a team with its members.
func (db *TeamService) CreateTeam(ctx context.Context, in herald.TeamInput) (herald.Team, error) {
	if err := in.Normalize(); err != nil {
		return herald.Team{}, err
	}
	var t herald.Team
	err := db.write(ctx, func(tx *tx) error {
		fe := herald.FieldErrors{}
		members := tx.resolveUsers(ctx, "members", in.Members, fe)
		if err := fe.Err(); err != nil {
			return err
		}
		id, err := tx.createTeam(ctx, in.Name, members)
		if err != nil {
			return err
		}
		t, err = tx.team(ctx, id)
		return err
	})
	return t, err
}

// UpdateTeam replaces a team's name and members.
func (db *TeamService) UpdateTeam(ctx context.Context, ref string, in herald.TeamInput) (herald.Team, error) {
	if err := in.Normalize(); err != nil {
		return herald.Team{}, err
	}
	var t herald.Team
	err := db.write(ctx, func(tx *tx) error {
		cur, err := tx.team(ctx, ref)
		if err != nil {
			return err
		}
		fe := herald.FieldErrors{}
		members := tx.resolveUsers(ctx, "members", in.Members, fe)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := tx.updateTeam(ctx, cur.ID, in.Name, members); err != nil {
			return err
		}
		t, err = tx.team(ctx, cur.ID)
		return err
	})
	return t, err
}

// DeleteTeam removes a team; what it owned belongs to no team after.
func (db *TeamService) DeleteTeam(ctx context.Context, ref string) error {
	return db.write(ctx, func(tx *tx) error {
		t, err := tx.team(ctx, ref)
		if err != nil {
			return err
		}
		return tx.deleteTeam(ctx, t.ID)
	})
}

func (tx *tx) team(ctx context.Context, ref string) (herald.Team, error) {
	ref = strings.TrimSpace(ref)
	t := herald.Team{Members: []herald.TeamMember{}}
	var created int64
	err := tx.QueryRowContext(ctx, `SELECT id, name, created_at FROM teams WHERE id = $1 OR name = $1`, ref).Scan(&t.ID, &t.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return t, herald.Errorf(herald.ENotFound, "no team %q", ref)
	}
	if err != nil {
		return t, fmt.Errorf("read team: %w", err)
	}
	t.CreatedAt = fromMicros(created)
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, u.email FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.name, u.email`, t.ID)
	if err != nil {
		return t, fmt.Errorf("read team members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m herald.TeamMember
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email); err != nil {
			return t, fmt.Errorf("read team members: %w", err)
		}
		t.Members = append(t.Members, m)
	}
	if err := rows.Err(); err != nil {
		return t, err
	}
	for _, owned := range []struct {
		table string
		into  *[]string
	}{{"schedules", &t.Schedules}, {"escalation_policies", &t.Policies}, {"services", &t.Services}} {
		names, err := tx.ids(ctx, "read what a team owns", `SELECT name FROM `+owned.table+` WHERE team_id = $1 ORDER BY name`, t.ID)
		if err != nil {
			return t, err
		}
		*owned.into = orEmpty(names)
	}
	return t, nil
}

// teamID finds a team's id by name; "" is no team.
func (tx *tx) teamID(ctx context.Context, name string) (sql.NullString, error) {
	if name == "" {
		return sql.NullString{}, nil
	}
	t, err := tx.team(ctx, name)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: t.ID, Valid: true}, nil
}

func (tx *tx) createTeam(ctx context.Context, name string, members []string) (string, error) {
	id := newID()
	_, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)`, id, name, micros(tx.now))
	if err := conflictAs(err, "insert team", "a team named %q exists already", name); err != nil {
		return "", err
	}
	return id, tx.setTeamMembers(ctx, id, members)
}

func (tx *tx) updateTeam(ctx context.Context, id, name string, members []string) error {
	_, err := tx.ExecContext(ctx, `UPDATE teams SET name = $1 WHERE id = $2`, name, id)
	if err := conflictAs(err, "update team", "a team named %q exists already", name); err != nil {
		return err
	}
	return tx.setTeamMembers(ctx, id, members)
}

func (tx *tx) setTeamMembers(ctx context.Context, id string, members []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1`, id); err != nil {
		return fmt.Errorf("reset team members: %w", err)
	}
	seen := map[string]bool{}
	for _, u := range members {
		if seen[u] {
			continue
		}
		seen[u] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)`, id, u); err != nil {
			return fmt.Errorf("team member: %w", err)
		}
	}
	return nil
}

func (tx *tx) deleteTeam(ctx context.Context, id string) error {
	for _, q := range []string{
		`UPDATE schedules SET team_id = NULL WHERE team_id = $1`,
		`UPDATE escalation_policies SET team_id = NULL WHERE team_id = $1`,
		`UPDATE services SET team_id = NULL WHERE team_id = $1`,
		`DELETE FROM team_members WHERE team_id = $1`,
		`DELETE FROM teams WHERE id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete team: %w", err)
		}
	}
	return nil
}
