#!/usr/bin/perl
# A minimal carrier (SMSC) on Net::SMPP for the interop tests: accepts a bind with the right
# password, answers submit_sm with a message id and sends a delivery receipt for it.
# One JSON line per event on stdout; one forked process per connection, as Net::SMPP blocks.
#
# usage: smsc.pl --port 0 --system-id smsgate --password secret --id-format dec|hex
use strict;
use warnings;
use Getopt::Long;
use IO::Handle;
use JSON::PP;
use POSIX qw(strftime);
use Net::SMPP;

my %opt = (host => '127.0.0.1', port => 0, 'system-id' => 'smsgate', password => 'secret',
           'id-format' => 'dec', receipts => 'requested');
GetOptions(\%opt, 'host=s', 'port=i', 'system-id=s', 'password=s', 'id-format=s', 'receipts=s')
    or die "bad arguments\n";

STDOUT->autoflush(1);
my $json = JSON::PP->new->canonical;
sub emit {
    my ($event, %fields) = @_;
    print $json->encode({event => $event, %fields}), "\n";
}

my $listener = Net::SMPP->new_listen($opt{host}, port => $opt{port}, smpp_version => 0x34)
    or die "cannot listen: $!\n";
emit('listening', port => $listener->sockport);
$SIG{CHLD} = 'IGNORE';

# Started as a process group leader (as the tests do), the group ends when the test closes
# stdin, or dies: the forked connections never outlive the test.
if (getpgrp() == $$ && !fork) {
    1 while <STDIN>;
    kill 'TERM', -getpgrp();
    exit 0;
}

while (1) {
    my $conn = $listener->accept or next;
    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        undef $listener;
        serve($conn);
        exit 0;
    }
    undef $conn;
}

sub hex_of { return unpack('H*', defined $_[0] ? $_[0] : '') }

sub serve {
    my ($conn) = @_;
    my $session = $$;
    my ($bound, $counter) = (0, 0);
    emit('connect', session => $session);
    while (my $pdu = $conn->read_pdu) {
        my $cmd = $pdu->{cmd};
        if ($cmd == Net::SMPP::CMD_bind_transceiver || $cmd == Net::SMPP::CMD_bind_transmitter
            || $cmd == Net::SMPP::CMD_bind_receiver) {
            my $status = $pdu->{system_id} ne $opt{'system-id'} ? 0x0F
                       : $pdu->{password} ne $opt{password} ? 0x0E : 0;
            emit('bind', session => $session, system_id => $pdu->{system_id},
                 command => Net::SMPP::pdu_tab->{$cmd}{cmd}, command_status => $status);
            my $reply = Net::SMPP::pdu_tab->{$cmd}{cmd} . '_resp';
            $conn->$reply(seq => $pdu->{seq}, status => $status, system_id => 'perlsmsc');
            $bound = $status == 0;
        } elsif ($cmd == Net::SMPP::CMD_submit_sm) {
            my $status = $bound ? 0 : 0x04;
            my $id = $opt{'id-format'} eq 'hex' ? sprintf('%x', $session * 100000 + ++$counter)
                                                : sprintf('%d', $session * 100000 + ++$counter);
            my %tlvs = map { (sprintf('0x%04x', $_) => hex_of($pdu->{$_})) } grep { /^\d+$/ } keys %$pdu;
            emit('submit_sm', session => $session, sequence_number => $pdu->{seq},
                 command_status => $status, message_id => $status ? undef : $id,
                 (map { ($_ => $pdu->{$_}) } qw(source_addr destination_addr esm_class
                     registered_delivery data_coding source_addr_ton dest_addr_ton)),
                 short_message => hex_of($pdu->{short_message}), tlvs => \%tlvs);
            if ($status) {
                $conn->submit_sm_resp(seq => $pdu->{seq}, status => $status, message_id => '');
                next;
            }
            $conn->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
            my $wanted = $opt{receipts} eq 'always'
                || ($opt{receipts} eq 'requested' && ($pdu->{registered_delivery} & 0x03));
            send_receipt($conn, $session, $pdu, $id) if $wanted;
        } elsif ($cmd == Net::SMPP::CMD_deliver_sm_resp) {
            emit('deliver_sm_resp', session => $session, sequence_number => $pdu->{seq},
                 command_status => $pdu->{status});
        } elsif ($cmd == Net::SMPP::CMD_enquire_link) {
            emit('enquire_link', session => $session);
            $conn->enquire_link_resp(seq => $pdu->{seq});
        } elsif ($cmd == Net::SMPP::CMD_unbind) {
            emit('unbind', session => $session);
            $conn->unbind_resp(seq => $pdu->{seq});
            last;
        } elsif (!($cmd & 0x80000000)) {
            emit('unknown', session => $session, command_id => $cmd);
            $conn->generic_nack(seq => $pdu->{seq}, status => 0x03);
        }
    }
    emit('close', session => $session);
}

sub send_receipt {
    my ($conn, $session, $submit, $id) = @_;
    my $now = strftime('%y%m%d%H%M', gmtime);
    my $text = "id:$id sub:001 dlvrd:001 submit date:$now done date:$now stat:DELIVRD err:000 text:";
    my $seq = $conn->deliver_sm(
        async => 1,
        source_addr_ton => $submit->{dest_addr_ton}, source_addr_npi => $submit->{dest_addr_npi},
        source_addr => $submit->{destination_addr},
        dest_addr_ton => $submit->{source_addr_ton}, dest_addr_npi => $submit->{source_addr_npi},
        destination_addr => $submit->{source_addr},
        esm_class => 0x04, data_coding => 0, short_message => $text,
        receipted_message_id => "$id\0", message_state => pack('C', 2));
    emit('deliver_sm_sent', session => $session, sequence_number => $seq, message_id => $id,
         short_message => hex_of($text));
}
