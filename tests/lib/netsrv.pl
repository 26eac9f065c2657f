#!/usr/bin/perl
# netsrv.pl - tiny servers and clients for the network tests (core perl only).
#
#   netsrv.pl http ADDR PORT      HTTP/1.0: body "hello from PEERADDR\n"
#   netsrv.pl echo ADDR PORT      TCP echo (for latency)
#   netsrv.pl peer ADDR PORT      TCP: sends "PEERADDR:PEERPORT\n", then echoes
#   netsrv.pl udp ADDR PORT       UDP echo: replies "echo:" . datagram
#   netsrv.pl dns ADDR PORT       DNS: every A query -> 192.0.2.42
#   netsrv.pl udpsend HOST PORT MSG      prints the reply (3 s timeout)
#   netsrv.pl httpget HOST PORT          prints the body (5 s connect timeout)
#   netsrv.pl api SOCKET JSON            one control-socket request, prints the reply
#   netsrv.pl apiflood SOCKET N          N requests, never reading a reply: prints
#                                        "sent BYTES" once the socket takes no more
#                                        (or all went), then holds it until stdin ends
#   netsrv.pl tcphold HOST PORT N        N TCP connections, each sends a line and
#                                        waits for its echo (5 s): prints "ok" or
#                                        "fail" for each, then "held", then keeps
#                                        them until stdin ends
#   netsrv.pl full ADDR PORT      TCP: a listener with a backlog of 0 that
#                                        never accepts (one connection fills it)
#   netsrv.pl gate ADDR PORT      the same until a line comes on stdin, then
#                                        a peer server
#   netsrv.pl connect HOST PORT [block|nb|bound|v6|timeo|held]
#                                        a client of a peer server: connects
#                                        (blocking; non-blocking, waiting for
#                                        it with select; bound to port 0
#                                        first; or from an IPv6 socket to
#                                        ::ffff:HOST), sends "ping", prints
#                                        "connect=done|inprogress peer=ADDR:PORT
#                                        local=PORT saw=SERVER'S-LINE echo=LINE";
#                                        timeo (a full server): one connection,
#                                        then a blocking one with a 1 s
#                                        SO_SNDTIMEO: prints "connect=timedout"
#                                        when that returns EINPROGRESS; held (a
#                                        gate server): one connection, then
#                                        a blocking one as with block
#   netsrv.pl udpmany HOST PORT N        one datagram from each of N source ports;
#                                        prints how many got their echo (3 s)
#
# Servers print "ready PORT" on stdout (PORT 0 binds a free one) once they
# listen, then close stdout; tests read that line instead of sleeping.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);

my ($mode, @a) = @ARGV;
$SIG{PIPE} = 'IGNORE';

sub ready {
	my ($s) = @_;
	$| = 1;
	print "ready ", $s->sockport, "\n";
	close STDOUT;
}

if ($mode eq 'http' || $mode eq 'echo' || $mode eq 'peer' || $mode eq 'gate') {
	my $s;
	if ($mode eq 'gate') {
		# (IO::Socket::INET takes a Listen of 0 for none)
		$s = IO::Socket::INET->new(LocalAddr => $a[0], LocalPort => $a[1], ReuseAddr => 1,
			Proto => 'tcp') or die "bind: $!";
		listen($s, 0) or die "listen: $!";
		ready($s);
		my $go = <STDIN>;
		$mode = 'peer';
	} else {
		$s = IO::Socket::INET->new(LocalAddr => $a[0], LocalPort => $a[1], Listen => 64,
			ReuseAddr => 1, Proto => 'tcp') or die "listen: $!";
		ready($s);
	}
	while (my $c = $s->accept) {
		if ($mode eq 'echo' || $mode eq 'peer') {
			# the parent lets go of the connection: the child's close ends it
			if (fork) {
				close $c;
				next;
			}
			syswrite($c, $c->peerhost . ":" . $c->peerport . "\n") if $mode eq 'peer';
			my $buf;
			while (sysread($c, $buf, 65536)) { syswrite($c, $buf) or last; }
			exit 0;
		}
		my $line;
		while (defined($line = <$c>)) { last if $line =~ /^\r?$/; }
		my $body = "hello from " . $c->peerhost . "\n";
		print $c "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
			. length($body) . "\r\n\r\n$body";
		close $c;
	}
} elsif ($mode eq 'udp' || $mode eq 'dns') {
	my $s = IO::Socket::INET->new(LocalAddr => $a[0], LocalPort => $a[1], Proto => 'udp')
		or die "bind: $!";
	ready($s);
	my $buf;
	while (defined $s->recv($buf, 65536)) {
		if ($mode eq 'udp') {
			$s->send("echo:$buf");
			next;
		}
		next if length($buf) < 12;
		my ($id, $flags, $qd) = unpack('n n n', $buf);
		# the question: labels up to the 0 byte, then type and class
		my $end = index($buf, "\0", 12);
		next if $end < 0;
		my $q = substr($buf, 12, $end - 12 + 5);
		my $ans = pack('n n n n n n', $id, 0x8180, 1, 1, 0, 0) . $q
			. pack('n n n N n C4', 0xc00c, 1, 1, 60, 4, 192, 0, 2, 42);
		$s->send($ans);
	}
} elsif ($mode eq 'udpsend') {
	my $s = IO::Socket::INET->new(PeerAddr => $a[0], PeerPort => $a[1], Proto => 'udp')
		or die "socket: $!";
	$s->send($a[2]);
	my $buf = '';
	my $rin = '';
	vec($rin, fileno($s), 1) = 1;
	if (select(my $r = $rin, undef, undef, 3)) {
		$s->recv($buf, 65536);
	}
	print "$buf\n";
	exit($buf eq '' ? 1 : 0);
} elsif ($mode eq 'httpget') {
	my $s = IO::Socket::INET->new(PeerAddr => $a[0], PeerPort => $a[1], Proto => 'tcp',
		Timeout => 5) or die "connect $a[0]:$a[1]: $!\n";
	print $s "GET / HTTP/1.0\r\nHost: $a[0]\r\n\r\n";
	local $/;
	my $r = <$s> // '';
	$r =~ s/^.*?\r\n\r\n//s or die "no HTTP response\n";
	print $r;
} elsif ($mode eq 'api') {
	my $s = IO::Socket::UNIX->new(Peer => $a[0], Type => SOCK_STREAM) or die "connect: $!";
	print $s "$a[1]\n";
	my $r = <$s>;
	print defined $r ? $r : "";
	exit(defined $r ? 0 : 1);
} elsif ($mode eq 'apiflood') {
	use IO::Handle;
	use Errno qw(EAGAIN);
	my $s = IO::Socket::UNIX->new(Peer => $a[0], Type => SOCK_STREAM) or die "connect: $!";
	$s->blocking(0);
	my $buf = '{"execute":"list_hostfwd"}' . "\n";
	$buf x= $a[1];
	my ($off, $stuck) = (0, 0);
	# write until everything went, or the socket stayed full for a second
	while ($off < length($buf) && $stuck < 10) {
		my $n = syswrite($s, $buf, length($buf) - $off, $off);
		if (defined $n) {
			$off += $n;
			$stuck = 0;
		} elsif ($! == EAGAIN) {
			select(undef, undef, undef, 0.1);
			$stuck++;
		} else {
			die "write: $!";
		}
	}
	$| = 1;
	print "sent $off\n";
	close STDOUT;
	1 while sysread(STDIN, my $x, 1);
} elsif ($mode eq 'tcphold') {
	my @c;
	$| = 1;
	for my $i (1 .. $a[2]) {
		my $s = IO::Socket::INET->new(PeerAddr => $a[0], PeerPort => $a[1], Proto => 'tcp',
			Timeout => 5);
		my $got = '';
		if ($s) {
			syswrite($s, "ping$i\n");
			my $rin = '';
			vec($rin, fileno($s), 1) = 1;
			sysread($s, $got, 100) if select(my $r = $rin, undef, undef, 5);
			push @c, $s;
		}
		print(($got // '') eq "ping$i\n" ? "ok\n" : "fail\n");
	}
	print "held\n";
	close STDOUT;
	1 while sysread(STDIN, my $x, 1);
} elsif ($mode eq 'full') {
	# (IO::Socket::INET takes a Listen of 0 for none)
	my $s = IO::Socket::INET->new(LocalAddr => $a[0], LocalPort => $a[1], ReuseAddr => 1,
		Proto => 'tcp') or die "bind: $!";
	listen($s, 0) or die "listen: $!";
	ready($s);
	sleep;
} elsif ($mode eq 'connect') {
	use Socket qw(PF_INET PF_INET6 AF_INET6 IPPROTO_TCP SOL_SOCKET SO_ERROR SO_SNDTIMEO
		INADDR_ANY pack_sockaddr_in unpack_sockaddr_in pack_sockaddr_in6
		unpack_sockaddr_in6 inet_aton inet_ntoa inet_pton inet_ntop);
	use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
	use Errno qw(EINPROGRESS);
	my $how = $a[2] // 'block';
	my $v6 = $how eq 'v6';
	my $to = $v6 ? pack_sockaddr_in6($a[1], inet_pton(AF_INET6, "::ffff:$a[0]"))
		: pack_sockaddr_in($a[1], inet_aton($a[0]));
	socket(my $s, $v6 ? PF_INET6 : PF_INET, SOCK_STREAM, IPPROTO_TCP) or die "socket: $!\n";
	my $first;
	if ($how eq 'timeo' || $how eq 'held') {
		socket($first, PF_INET, SOCK_STREAM, IPPROTO_TCP) or die "socket: $!\n";
		connect($first, $to) or die "connect: $!\n";
	}
	if ($how eq 'timeo') {
		setsockopt($s, SOL_SOCKET, SO_SNDTIMEO, pack('l!l!', 1, 0)) or die "setsockopt: $!\n";
		connect($s, $to) and die "connect: the second one was not held\n";
		die "connect: $!\n" unless $! == EINPROGRESS;
		print "connect=timedout\n";
		exit 0;
	}
	if ($how eq 'bound') {
		bind($s, pack_sockaddr_in(0, INADDR_ANY)) or die "bind: $!\n";
	}
	my $fl = fcntl($s, F_GETFL, 0);
	fcntl($s, F_SETFL, $fl | O_NONBLOCK) if $how eq 'nb';
	my $res = 'done';
	if (!connect($s, $to)) {
		die "connect: $!\n" unless $how eq 'nb' && $! == EINPROGRESS;
		$res = 'inprogress';
		my $win = '';
		vec($win, fileno($s), 1) = 1;
		select(undef, my $w = $win, undef, 5) or die "connect: timed out\n";
		my $e = unpack('i', getsockopt($s, SOL_SOCKET, SO_ERROR));
		die "connect: " . ($! = $e) . "\n" if $e;
	}
	fcntl($s, F_SETFL, $fl);
	my ($pp, $pa) = $v6 ? unpack_sockaddr_in6(getpeername($s)) : unpack_sockaddr_in(getpeername($s));
	my ($lp) = $v6 ? unpack_sockaddr_in6(getsockname($s)) : unpack_sockaddr_in(getsockname($s));
	syswrite($s, "ping\n");
	my $saw = <$s> // '';
	my $echo = <$s> // '';
	chomp($saw, $echo);
	print "connect=$res peer=", ($v6 ? inet_ntop(AF_INET6, $pa) : inet_ntoa($pa)),
		":$pp local=$lp saw=$saw echo=$echo\n";
} elsif ($mode eq 'udpmany') {
	my @s;
	for my $i (1 .. $a[2]) {
		my $s = IO::Socket::INET->new(PeerAddr => $a[0], PeerPort => $a[1], Proto => 'udp')
			or die "socket: $!";
		$s->send("m$i");
		push @s, $s;
	}
	my ($got, $end) = (0, time + 3);
	my %seen;
	while (keys(%seen) < @s && time < $end) {
		my $rin = '';
		vec($rin, fileno($_), 1) = 1 for @s;
		select(my $r = $rin, undef, undef, 0.5) or next;
		for my $s (@s) {
			next unless vec($r, fileno($s), 1);
			my $buf;
			$s->recv($buf, 100);
			$seen{fileno($s)} = 1 if defined $buf && $buf =~ /^echo:m\d+$/;
		}
	}
	print scalar(keys %seen), "\n";
} else {
	die "netsrv.pl: unknown mode $mode\n";
}
