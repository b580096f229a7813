package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/concurrency-kitchen/course/helpers/internal/leakcheck"
	"github.com/concurrency-kitchen/course/helpers/offline"
	"github.com/concurrency-kitchen/course/helpers/proc"
	"github.com/concurrency-kitchen/course/helpers/timing"
)

// TestKilledWorkerLosesNoJob is the lesson's claim: count_words for four
// EuroPython pages and a few more jobs, two worker processes, and one of
// them killed (SIGKILL) while it runs a job. Every job is done once, with
// the right result; the killed worker's job ran again on the other.
func TestKilledWorkerLosesNoJob(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			srv := startServer(t, k.embedded)
			web, err := offline.Start()
			if err != nil {
				t.Fatal(err)
			}
			defer web.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			q := openQueue(t, ctx, srv, "kitchen", Options{Heartbeat: testBeat})

			tl := timing.NewTimeline()
			wctx, stopWorkers := context.WithCancel(context.Background())
			defer stopWorkers()
			w1, err := Worker{Addr: srv.Addr(), Queue: q.Name(), Name: "w1"}.Start(wctx, tl)
			if err != nil {
				t.Fatal(err)
			}
			defer w1.Wait()
			w2, err := Worker{Addr: srv.Addr(), Queue: q.Name(), Name: "w2"}.Start(wctx, tl)
			if err != nil {
				t.Fatal(err)
			}
			defer w2.Wait()
			waitFor(t, 20*time.Second, "two workers alive", func() bool {
				alive, err := q.Alive(ctx)
				return err == nil && slices.Equal(alive, []string{"w1", "w2"})
			})

			want := map[string]string{} // job ID -> its result, as JSON
			var ids []string
			for year := 2016; year <= 2019; year++ {
				url := fmt.Sprintf("http://ep%d.europython.eu/en/?sleep=600", year)
				id, err := q.Enqueue(ctx, "count_words", page{URL: url, Via: web.Addr()})
				if err != nil {
					t.Fatal(err)
				}
				ids, want[id] = append(ids, id), fmt.Sprint(offline.EuroPythonWords()[year])
			}
			for n := 1; n <= 6; n++ {
				id, err := q.Enqueue(ctx, "square", n)
				if err != nil {
					t.Fatal(err)
				}
				ids, want[id] = append(ids, id), fmt.Sprint(n*n)
			}

			// Kill w1 once it holds a page (a job that lasts 600 ms).
			var victim string
			waitFor(t, 20*time.Second, "w1 to start a count_words job", func() bool {
				js, err := q.Jobs(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range js {
					if j.State == StateStarted && j.Worker == "w1" && j.Func == "count_words" {
						victim = j.ID
						return true
					}
				}
				return false
			})
			if err := syscall.Kill(w1.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			if err := w1.Wait(); err == nil || !strings.Contains(err.Error(), "signal: killed") {
				t.Errorf("the killed worker: %v", err)
			}

			got, err := q.Wait(ctx, ids...)
			if err != nil {
				t.Fatalf("%v\n%s", err, Table(got))
			}
			for _, j := range got {
				if j.State != StateFinished || string(j.Result) != want[j.ID] {
					t.Errorf("job %s %s(%s): %s %s %q, want finished with %s", j.ID, j.Func, j.Arg, j.State, j.Result, j.Error, want[j.ID])
				}
				if j.ID == victim && (j.Attempts < 2 || len(j.Lost) == 0 || j.Lost[0] != "w1" || j.Worker != "w2") {
					t.Errorf("the killed worker's job %s: worker %s, %d attempts, lost by %v; want finished by w2 after w1 lost it",
						j.ID, j.Worker, j.Attempts, j.Lost)
				}
			}

			// Each result recorded once; nothing left in the queue or held.
			done, err := q.s.RDB.LRange(ctx, q.s.DoneKey(), 0, -1).Result()
			if err != nil {
				t.Fatal(err)
			}
			if slices.Sort(done); !slices.Equal(done, sortedCopy(ids)) {
				t.Errorf("done list %v, want each of %v once", done, ids)
			}
			if n := q.s.RDB.LLen(ctx, q.s.QueueKey()).Val(); n != 0 {
				t.Errorf("%d IDs left in the queue", n)
			}
			if held, _ := q.s.Workers(ctx, q.s.WipKey("")); len(held) != 0 {
				t.Errorf("jobs still held: %v", held)
			}

			stopWorkers()
			w2.Wait()
			for _, c := range []*proc.Child{w1, w2} {
				if !leakcheck.Gone(c.PID) {
					t.Errorf("worker process %d still exists", c.PID)
				}
			}
			// The survivor's spans reached the parent's timeline.
			if !slices.Contains(tl.Lanes(), "w2") {
				t.Errorf("no span on lane w2; lanes %v", tl.Lanes())
			}
			if t.Failed() {
				t.Logf("%s\n%s", srv.Kind(), Table(got))
			}
		})
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// TestPoisonJobFails: a job that kills every worker that runs it fails
// after MaxAttempts starts, with an error that says why; it is not lost
// and does not go round forever.
func TestPoisonJobFails(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			srv := startServer(t, k.embedded)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			q := openQueue(t, ctx, srv, "poison", Options{Heartbeat: testBeat, MaxAttempts: 2})
			children := workers(t, q, Worker{Addr: srv.Addr()}, "w1", "w2")
			id, err := q.Enqueue(ctx, "crash", nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := q.Wait(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			j := got[0]
			lost := sortedCopy(j.Lost)
			if j.State != StateFailed || j.Attempts != 2 || !slices.Equal(lost, []string{"w1", "w2"}) ||
				!strings.Contains(j.Error, "died while running it") || !strings.Contains(j.Error, "started 2 times") {
				t.Errorf("poison job: %+v", j)
			}
			for _, c := range children {
				if err := c.Wait(); err == nil || !strings.Contains(err.Error(), "exit status 2") {
					t.Errorf("worker %d: %v, want exit status 2", c.PID, err)
				}
			}
		})
	}
}

// TestResultRecordedOnce: a worker taken for dead (no heartbeat) while it
// runs a job loses the job to another worker; when it finishes after all,
// its result is dropped, and the other worker's is the one recorded.
func TestResultRecordedOnce(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			srv := startServer(t, k.embedded)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			q := openQueue(t, ctx, srv, "once", Options{Heartbeat: testBeat})
			id, err := q.Enqueue(ctx, "slow", 7)
			if err != nil {
				t.Fatal(err)
			}
			// A worker that never beats, runs by hand, and is slow.
			release := make(chan struct{})
			ghost := &runner{q: q, Worker: Worker{Name: "ghost",
				Handlers: map[string]Handler{"slow": func(context.Context, json.RawMessage) (any, error) {
					<-release
					return "ghost's result", nil
				}}}}
			if err := q.s.RDB.LMove(ctx, q.s.QueueKey(), q.s.WipKey("ghost"), "RIGHT", "LEFT").Err(); err != nil {
				t.Fatal(err)
			}
			ghostDone := make(chan error, 1)
			go func() { ghostDone <- ghost.runJob(ctx, id) }()
			waitFor(t, 10*time.Second, "the ghost to start", func() bool {
				j, err := q.Job(ctx, id)
				return err == nil && j.State == StateStarted
			})

			if n, err := q.Recover(ctx); n != 1 || err != nil {
				t.Fatalf("Recover moved %d jobs, %v; want 1", n, err)
			}
			real := &runner{q: q, Worker: Worker{Name: "real",
				Handlers: map[string]Handler{"slow": func(context.Context, json.RawMessage) (any, error) { return "real result", nil }}}}
			if err := q.s.RDB.LMove(ctx, q.s.QueueKey(), q.s.WipKey("real"), "RIGHT", "LEFT").Err(); err != nil {
				t.Fatal(err)
			}
			if err := real.runJob(ctx, id); err != nil {
				t.Fatal(err)
			}
			close(release)
			if err := <-ghostDone; err != nil {
				t.Fatal(err)
			}
			j, err := q.Job(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != StateFinished || string(j.Result) != `"real result"` || j.Worker != "real" || j.Attempts != 2 || !slices.Equal(j.Lost, []string{"ghost"}) {
				t.Errorf("job: %+v", j)
			}
			if done := q.s.RDB.LRange(ctx, q.s.DoneKey(), 0, -1).Val(); !slices.Equal(done, []string{id}) {
				t.Errorf("done list %v, want [%s] once", done, id)
			}
			if held, _ := q.s.Workers(ctx, q.s.WipKey("")); len(held) != 0 {
				t.Errorf("jobs still held: %v", held)
			}
		})
	}
}
