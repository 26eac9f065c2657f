#!/usr/bin/perl
# fakereg.pl - a small misbehaving registry for the tests (core perl only).
#
#   perl fakereg.pl LAYOUT_DIR PORT_FIFO [STALL_FIFO]
#
# Serves the blobs of an OCI layout dir and the manifest of its index.json
# first entry under /v2/NAME/manifests/TAG.  NAME picks the fault:
#   good/x       as it should
#   corrupt/x    layer blobs with one byte changed (same length)
#   truncated/x  layer blobs cut in half (honest Content-Length)
#   badjson/x    a manifest that is not JSON
#   badtype/x    a manifest of an unknown media type
#   huge/x       a 5 MiB manifest
#   zerosize/x   the manifest gives every layer size 0
#   long/x       layer blobs with 4 KiB more than the manifest says
#   bearer/x     Bearer token auth: /token issues "tok-ok" for tester:s3cret
#   stall/x      layer blobs stop half-way; "stalled" is written to STALL_FIFO
#                and the connection stays open until the client closes it
#   leak/x       push target behind Basic auth (tester:s3cret) whose upload
#                Location is on another server: $FAKEREG_OTHER (host:port)
#   rel/x        the same with a relative upload Location ("u1")
# A PUT to .../blobs/uploads/... is taken (201) without auth on any instance.
# Each request is logged to stderr as "METHOD PATH authorization=VALUE|none".
# The port is written to PORT_FIFO once listening.
use strict;
use warnings;
use IO::Socket::INET;
use MIME::Base64;

my ($dir, $fifo, $stallfifo) = @ARGV;
my $srv = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1)
	or die "listen: $!";
my $port = $srv->sockport;
open(my $f, '>', $fifo) or die "fifo: $!";
print $f "$port\n";
close $f;

sub slurp { my $p = shift; open(my $h, '<:raw', $p) or return undef; local $/; my $d = <$h>; close $h; return $d; }

my $index = slurp("$dir/index.json") // die "no index.json";
my ($mdig) = $index =~ /"digest":"sha256:([0-9a-f]{64})"/ or die "no manifest in index.json";
my $manifest = slurp("$dir/blobs/sha256/$mdig");
my %layers = map { $_ => 1 } ($manifest =~ /"mediaType":"application\/vnd\.oci\.image\.layer[^"]*","digest":"sha256:([0-9a-f]{64})"/g);

sub reply {
	my ($c, $code, $hdrs, $body) = @_;
	$body //= '';
	my $h = "HTTP/1.1 $code X\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n";
	$h .= "$_: $hdrs->{$_}\r\n" for keys %$hdrs;
	print $c "$h\r\n";
	print $c $body unless $hdrs->{'X-Head'};
}

$SIG{PIPE} = 'IGNORE';
while (my $c = $srv->accept) {
	binmode $c;
	# a TLS ClientHello (the https attempt before plain HTTP): hang up
	sysread($c, my $first, 1) or next;
	if ($first eq "\x16") {
		close $c;
		next;
	}
	my $rest = <$c> // next;
	my $req = $first . $rest;
	my %hdr;
	while (my $l = <$c>) {
		last if $l =~ /^\r?\n$/;
		$hdr{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*?)\r?\n$/;
	}
	my ($method, $path) = split ' ', $req;
	my ($name) = $path =~ m{^/v2/(\w+)/};
	my $authz = $hdr{authorization} // '';
	print STDERR "$method $path authorization=" . ($authz eq '' ? 'none' : $authz) . "\n";
	if ($method =~ /^(PUT|POST|PATCH)$/) {
		print $c "HTTP/1.1 100 Continue\r\n\r\n" if lc($hdr{expect} // '') eq '100-continue';
		my $left = $hdr{'content-length'} // 0;
		while ($left > 0) { my $n = read($c, my $buf, $left > 65536 ? 65536 : $left) or last; $left -= $n; }
	}
	if ($method eq 'PUT' && $path =~ m{^/v2/\w+/x/blobs/uploads/}) {
		reply($c, 201, {}, '');
		close $c;
		next;
	}
	if (($name // '') =~ /^(leak|rel)$/) {
		if ($authz ne 'Basic ' . encode_base64('tester:s3cret', '')) {
			reply($c, 401, { 'WWW-Authenticate' => 'Basic realm="fake"' }, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
		} elsif ($method eq 'POST' && $path =~ m{/blobs/uploads/}) {
			my $loc = $name eq 'rel' ? 'u1' : "http://$ENV{FAKEREG_OTHER}/v2/leak/x/blobs/uploads/u1";
			reply($c, 202, { 'Location' => $loc }, '');
		} elsif ($method eq 'PUT' && $path =~ m{/manifests/}) {
			reply($c, 201, {}, '');
		} else {
			reply($c, 404, {}, '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
		}
		close $c;
		next;
	}
	if ($path =~ m{^/token}) {
		my $want = 'Basic ' . encode_base64('tester:s3cret', '');
		if ($authz eq $want && $path =~ /scope=repository%3Abearer%2Fx%3Apull/) {
			reply($c, 200, { 'Content-Type' => 'application/json' }, '{"token":"tok-ok"}');
		} else {
			reply($c, 401, {}, '{"details":"bad credentials"}');
		}
		close $c;
		next;
	}
	if ($path eq '/v2/') {
		reply($c, 200, {}, '{}');
		close $c;
		next;
	}
	if (($name // '') eq 'bearer' && $authz ne 'Bearer tok-ok') {
		reply($c, 401, { 'WWW-Authenticate' => "Bearer realm=\"http://127.0.0.1:$port/token\",service=\"fake\",scope=\"repository:bearer/x:pull\"" },
			'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
		close $c;
		next;
	}
	if ($path =~ m{^/v2/\w+/x/manifests/}) {
		my $body = $manifest;
		my $type = 'application/vnd.oci.image.manifest.v1+json';
		$body = '{"schemaVersion":2, not json' if $name eq 'badjson';
		if ($name eq 'badtype') { $body =~ s/application\/vnd\.oci\.image\.manifest\.v1\+json/application\/x-unknown/; $type = 'application/x-unknown'; }
		$body = '{"schemaVersion":2,"pad":"' . ('x' x (5 << 20)) . '"}' if $name eq 'huge';
		if ($name eq 'zerosize') { $body =~ s/("digest":"sha256:$_","size":)\d+/${1}0/ for keys %layers; }
		reply($c, 200, { 'Content-Type' => $type }, $body);
	} elsif ($path =~ m{^/v2/\w+/x/blobs/sha256:([0-9a-f]{64})}) {
		my $d = $1;
		my $blob = slurp("$dir/blobs/sha256/$d");
		if (!defined $blob) {
			reply($c, 404, {}, '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
		} else {
			if ($layers{$d} && $name eq 'corrupt') { substr($blob, length($blob) / 2, 1) ^= "\x01"; }
			if ($layers{$d} && $name eq 'truncated') { $blob = substr($blob, 0, int(length($blob) / 2)); }
			if ($layers{$d} && $name eq 'long') { $blob .= "\0" x 4096; }
			if ($layers{$d} && $name eq 'stall' && $stallfifo) {
				print $c "HTTP/1.1 200 OK\r\nContent-Length: " . length($blob) . "\r\nConnection: close\r\n\r\n";
				print $c substr($blob, 0, int(length($blob) / 2));
				$c->flush;
				open(my $sf, '>', $stallfifo) or die "stall fifo: $!";
				print $sf "stalled\n";
				close $sf;
				1 while sysread($c, my $junk, 4096);
				close $c;
				next;
			}
			reply($c, 200, { 'Content-Type' => 'application/octet-stream', ($method eq 'HEAD' ? ('X-Head' => 1) : ()) }, $blob);
		}
	} else {
		reply($c, 404, {}, '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}');
	}
	close $c;
}
