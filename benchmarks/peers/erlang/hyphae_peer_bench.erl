%% W1-W4 of WORKLOADS.md on Erlang/OTP distribution, the peer hyphae is compared with.
%% benchmarks/peers/erlang/run.sh starts five nodes on 127.0.0.1, each its own OS process:
%% four run node/1 (an echo function, a registered counting gen_server for W3, and a watcher
%% of nodedown events for W4); the fifth runs main/1, which runs the workload and prints its
%% one line on stdout, with the definitions of hyphae's RpcWorkloads.java.
-module(hyphae_peer_bench).
-behaviour(gen_server).

-export([main/1, node/1, echo/1, down_time/2]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

-define(COUNTER, hyphae_peer_bench_counter).
-define(WATCH, hyphae_peer_bench_watch).
-define(PAYLOAD, 64).
-define(CALL_TIMEOUT, 5000).
-define(IDLE_MS, 20000).      % as hyphae's BenchNode: a receiver reports after 20 s without a cast

%% ---------------------------------------------------------------- the four other nodes

%% -run hyphae_peer_bench node DriverNode
node([Driver]) ->
    start_watch(list_to_atom(Driver)),
    {ok, _} = gen_server:start({local, ?COUNTER}, ?MODULE, [], []),
    ok.

echo(Bin) -> Bin.

%% W3's receiver: counts the {msg, Seq, Bin} casts and the ones that arrived after a higher Seq.
-record(c, {expected = 0, received = 0, reordered = 0, last = -1, reply_to, seen_at_tick = 0, idle_ticks = 0}).

init([]) ->
    {ok, _} = timer:send_interval(1000, tick),
    {ok, #c{}}.

handle_call(_, _, S) -> {reply, ok, S}.

handle_cast({msg, Seq, _Bin}, S = #c{received = R, reordered = O, last = L}) ->
    S1 = S#c{received = R + 1, reordered = if Seq =< L -> O + 1; true -> O end, last = max(L, Seq)},
    {noreply, maybe_done(S1)};
handle_cast({expect, N, From}, S) ->
    {noreply, maybe_done(S#c{expected = N, reply_to = From, seen_at_tick = S#c.received, idle_ticks = 0})}.

handle_info(tick, S = #c{reply_to = undefined}) ->
    {noreply, S};
handle_info(tick, S = #c{received = R, seen_at_tick = R, idle_ticks = I}) when (I + 1) * 1000 >= ?IDLE_MS ->
    {noreply, done(S)};
handle_info(tick, S = #c{received = R, seen_at_tick = R, idle_ticks = I}) ->
    {noreply, S#c{idle_ticks = I + 1}};
handle_info(tick, S = #c{received = R}) ->
    {noreply, S#c{seen_at_tick = R, idle_ticks = 0}};
handle_info(_, S) ->
    {noreply, S}.

maybe_done(S = #c{reply_to = P, received = R, expected = N}) when P =/= undefined, R >= N -> done(S);
maybe_done(S) -> S.

done(S = #c{reply_to = P, received = R, expected = N, reordered = O}) ->
    P ! {done, node(), R, max(0, N - R), O},
    S#c{expected = 0, received = 0, reordered = 0, reply_to = undefined}.

%% W4: every node (the driver too) records when it got nodedown for each node, in wall-clock
%% microseconds (os:system_time), since the VMs' monotonic clocks differ. A node that is not
%% the driver halts when the driver goes down, or when it never came within 120 s, so no node
%% outlives its run.
start_watch(Driver) ->
    Parent = self(),
    Pid = spawn(fun() ->
                        ok = net_kernel:monitor_nodes(true),
                        Parent ! {watching, self()},
                        TRef = case Driver of
                                   none -> undefined;
                                   _ -> erlang:send_after(120000, self(), no_driver)
                               end,
                        watch(Driver, TRef, #{}, [])
                end),
    true = register(?WATCH, Pid),
    receive {watching, Pid} -> ok end.

watch(Driver, TRef, Downs, Waiting) ->
    receive
        {nodedown, N} ->
            At = os:system_time(microsecond),
            N =:= Driver andalso erlang:halt(0),
            Downs1 = Downs#{N => At},
            [From ! {down_time, N, At} || {N1, From} <- Waiting, N1 =:= N],
            watch(Driver, TRef, Downs1, [W || W = {N1, _} <- Waiting, N1 =/= N]);
        {nodeup, Driver} when TRef =/= undefined ->
            erlang:cancel_timer(TRef),
            watch(Driver, undefined, Downs, Waiting);
        {nodeup, _} ->
            watch(Driver, TRef, Downs, Waiting);
        no_driver ->
            io:format(standard_error, "~s: no driver came in 120 s~n", [node()]),
            erlang:halt(1);
        {get, N, From} ->
            case Downs of
                #{N := At} -> From ! {down_time, N, At}, watch(Driver, TRef, Downs, Waiting);
                _ -> watch(Driver, TRef, Downs, [{N, From} | Waiting])
            end
    end.

%% When this node got nodedown for N (os:system_time(microsecond)), waiting up to TimeoutMs.
down_time(N, TimeoutMs) ->
    ?WATCH ! {get, N, self()},
    receive {down_time, N, At} -> At after TimeoutMs -> timeout end.

%% ---------------------------------------------------------------- the driver

%% -run hyphae_peer_bench main KEY OTHERS_COMMA_SEPARATED [option=N ...]
main([Key, OthersCsv | Opts]) ->
    Status = try
                 Others = lists:sort([list_to_atom(N) || N <- string:lexemes(OthersCsv, ",")]),
                 start_watch(none),
                 persistent_term:put({?MODULE, failed}, counters:new(1, [write_concurrency])),
                 connect(Others),
                 Line = run(Key, Others, options(Opts)),
                 io:format("~s failed=~b load1=~s~n", [Line, counters:get(failed(), 1), load1()]),
                 0
             catch C:E:St ->
                     io:format(standard_error, "hyphae_peer_bench ~s failed: ~p:~p~n~p~n", [Key, C, E, St]),
                     1
             end,
    erlang:halt(Status).

failed() -> persistent_term:get({?MODULE, failed}).

%% Options come as name=value (run.sh turns --warmup N into warmup=N: erl would take an
%% argument starting with - for a flag of its own).
options(Opts) ->
    [case string:split(O, "=") of
         [Name, Value] -> {"--" ++ Name, list_to_integer(Value)};
         _ -> error({bad_option, O})
     end || O <- Opts].

opt(Opts, Name, Default) -> proplists:get_value(Name, Opts, Default).

%% Waits until every node is up, its counter registered, and the five form a full mesh
%% (each node connected to every other, so the survivors of W4 see the victim go down).
connect(Others) ->
    Deadline = erlang:monotonic_time(millisecond) + 60000,
    [wait_up(N, Deadline) || N <- Others],
    All = [node() | Others],
    [pong = rpc:call(N, net_adm, ping, [M]) || N <- Others, M <- All, M =/= N],
    [begin
         Seen = lists:sort([N | rpc:call(N, erlang, nodes, [])]),
         Seen =:= lists:sort(All) orelse error({not_a_full_mesh, N, Seen})
     end || N <- Others],
    ok.

wait_up(N, Deadline) ->
    Up = net_adm:ping(N) =:= pong andalso is_pid(rpc:call(N, erlang, whereis, [?COUNTER])),
    case Up of
        true -> ok;
        false ->
            erlang:monotonic_time(millisecond) > Deadline andalso error({node_not_up, N}),
            timer:sleep(20),
            wait_up(N, Deadline)
    end.

run("W1", Others, Opts) -> w1(Others, opt(Opts, "--calls", 10000), opt(Opts, "--warmup", 2000));
run("W2", Others, Opts) -> w2(Others, opt(Opts, "--calls", 20000), opt(Opts, "--callers", 32), opt(Opts, "--warmup", 2000));
run("W3", Others, Opts) -> w3(Others, opt(Opts, "--msgs", 200000), opt(Opts, "--warmup", 200000));
run("W4", Others, Opts) -> w4(Others, opt(Opts, "--warmup", 200)).

payload() -> binary:copy(<<0>>, ?PAYLOAD).

%% One multicall of echo to Others; counts it in failed= unless every node answered with Bin.
call(Others, Bin) ->
    {Replies, Bad} = R = rpc:multicall(Others, ?MODULE, echo, [Bin], ?CALL_TIMEOUT),
    case Bad =:= [] andalso length(Replies) =:= length(Others) andalso lists:all(fun(X) -> X =:= Bin end, Replies) of
        true -> ok;
        false ->
            counters:add(failed(), 1, 1),
            io:format(standard_error, "multicall lost replies: ~p~n", [Bad])
    end,
    R.

now_ns() -> erlang:monotonic_time(nanosecond).

w1(Others, Calls, Warmup) ->
    Bin = payload(),
    [call(Others, Bin) || _ <- lists:seq(1, Warmup)],
    Start = now_ns(),
    Times = timed_calls(Others, Bin, Calls, []),
    Secs = (now_ns() - Start) / 1.0e9,
    Sorted = lists:sort(Times),
    fmt("W1 p50_us=~b p99_us=~b max_us=~b calls_per_s=~b peer=erlang warmup=~b",
        [pct(Sorted, 50) div 1000, pct(Sorted, 99) div 1000, lists:last(Sorted) div 1000, round(Calls / Secs), Warmup]).

timed_calls(_, _, 0, Acc) -> Acc;
timed_calls(Others, Bin, N, Acc) ->
    T0 = now_ns(),
    call(Others, Bin),
    timed_calls(Others, Bin, N - 1, [now_ns() - T0 | Acc]).

w2(Others, Calls, Callers, Warmup) ->
    Bin = payload(),
    concurrently(Others, Bin, Callers, Warmup),
    Start = now_ns(),
    Times = concurrently(Others, Bin, Callers, Calls),
    Secs = (now_ns() - Start) / 1.0e9,
    fmt("W2 multicalls_per_s=~b p99_us=~b peer=erlang warmup=~b",
        [round(Calls / Secs), pct(lists:sort(Times), 99) div 1000, Warmup]).

%% Callers processes take calls from a shared count until it is gone; returns every call's time.
concurrently(Others, Bin, Callers, Calls) ->
    Left = atomics:new(1, []),
    atomics:put(Left, 1, Calls),
    Self = self(),
    Pids = [spawn_link(fun() -> Self ! {times, self(), caller_loop(Others, Bin, Left, [])} end)
            || _ <- lists:seq(1, Callers)],
    lists:append([receive {times, P, T} -> T end || P <- Pids]).

caller_loop(Others, Bin, Left, Acc) ->
    case atomics:sub_get(Left, 1, 1) >= 0 of
        true ->
            T0 = now_ns(),
            call(Others, Bin),
            caller_loop(Others, Bin, Left, [now_ns() - T0 | Acc]);
        false -> Acc
    end.

%% HdrHistogram's getValueAtPercentile: the smallest value with at least P% of all at or below it.
pct(Sorted, P) ->
    N = length(Sorted),
    lists:nth(max(1, min(N, ceil(P * N / 100))), Sorted).

w3(Others, Msgs, Warmup) ->
    %% Unmeasured, as hyphae's (where the JIT compiles the cast path meanwhile).
    _ = Warmup > 0 andalso cast_and_count(Others, 0, Warmup),
    Start = now_ns(),
    {Lost, Reordered, Last} = cast_and_count(Others, Warmup, Msgs),
    Secs = (Last - Start) / 1.0e9,
    fmt("W3 msgs_per_s=~b lost=~b reordered=~b peer=erlang warmup=~b", [round(Msgs / Secs), Lost, Reordered, Warmup]).

%% Abcasts {msg, Seq, Bin} for Seq = First .. First + Msgs - 1 and waits until each receiver
%% counted Msgs (or went 20 s without one); returns the most lost at one receiver, the reordered
%% at all, and when the last receiver's report arrived here (monotonic ns). msgs_per_s is then
%% messages per second per receiver, as hyphae's.
cast_and_count(Others, First, Msgs) ->
    [gen_server:cast({?COUNTER, N}, {expect, Msgs, self()}) || N <- Others],
    Bin = payload(),
    cast_loop(Others, First, First + Msgs, Bin),
    lists:foldl(fun(N, {Lost, Reordered, Last}) ->
                        receive
                            {done, N, _Received, L, O} -> {max(Lost, L), Reordered + O, max(Last, now_ns())}
                        after 300000 -> error({no_report_from, N})
                        end
                end, {0, 0, now_ns()}, Others).

cast_loop(_, End, End, _) -> ok;
cast_loop(Others, Seq, End, Bin) ->
    gen_server:abcast(Others, ?COUNTER, {msg, Seq, Bin}),
    cast_loop(Others, Seq + 1, End, Bin).

w4(Others, Warmup) ->
    Bin = payload(),
    [call(Others, Bin) || _ <- lists:seq(1, Warmup)],
    Victim = lists:last(Others),
    Survivors = [node() | Others -- [Victim]],
    OsPid = rpc:call(Victim, os, getpid, []),
    is_list(OsPid) orelse error({no_pid, Victim, OsPid}),
    %% The kill comes from a shell started beforehand that waits for the pid on its stdin and
    %% then runs its built-in kill: spawning /bin/kill then took up to 11 ms here, and survivors
    %% got nodedown before it had exited. As hyphae's W4, down_event_ms counts from just before
    %% the signal (KilledAt) and call_ms from when it was sent (the shell said so);
    %% signal_ms is the time between the two (not hyphae's kill_ms, which is signal to reaped).
    Killer = open_port({spawn_executable, "/bin/sh"},
                       [{args, ["-c", "read p; kill -9 \"$p\" && echo sent"]}, {line, 64}, exit_status]),
    timer:sleep(100),
    KilledAt = os:system_time(microsecond),
    K0 = now_ns(),
    true = port_command(Killer, OsPid ++ "\n"),
    receive
        {Killer, {data, {eol, "sent"}}} -> ok;
        {Killer, {exit_status, S}} -> error({kill_failed, S})
    after 10000 -> error(kill_timeout)
    end,
    T0 = now_ns(),
    {Replies, Bad} = rpc:multicall(Others, ?MODULE, echo, [Bin], ?CALL_TIMEOUT),
    CallMs = (now_ns() - T0) / 1.0e6,
    KillMs = (T0 - K0) / 1.0e6,
    Downs = [case rpc:call(S, ?MODULE, down_time, [Victim, 60000]) of
                 At when is_integer(At) -> {S, At};
                 Else -> error({no_nodedown, S, Else})
             end || S <- Survivors],
    Ats = [At || {_, At} <- Downs],
    io:format(standard_error, "W4 victim ~s (os pid ~s): replies=~b bad_nodes=~w; nodedown after the signal (ms):~s~n",
              [Victim, OsPid, length(Replies), Bad,
               [io_lib:format(" ~s=~.2f", [S, (At - KilledAt) / 1000]) || {S, At} <- Downs]]),
    fmt("W4 call_ms=~.2f dead_reported=~s down_event_ms=~b first_down_ms=~.2f signal_ms=~.2f peer=erlang warmup=~b",
        [CallMs, case lists:member(Victim, Bad) of true -> "yes"; false -> "no" end,
         (lists:max(Ats) - KilledAt) div 1000, (lists:min(Ats) - KilledAt) / 1000, KillMs, Warmup]).

fmt(Format, Args) -> lists:flatten(io_lib:format(Format, Args)).

load1() ->
    {ok, B} = file:read_file("/proc/loadavg"),
    [L | _] = string:lexemes(binary_to_list(B), " "),
    L.
