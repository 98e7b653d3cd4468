#!/usr/bin/env bash
# One command from a fresh clone to a running bastion you can ssh through:
# installs what is missing, builds, makes a demo user CA and certificates, a vault key,
# starts a demo target sshd and the bastion on loopback, and prints the ssh lines to try.
# Everything it makes lives in demo/ (delete it to start over). Ctrl-C stops both servers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DEMO=$ROOT/demo
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
for pkg in libssh-dev libssl-dev libsqlite3-dev libvterm-dev openssh-server openssh-client; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "==> building"
swift build 2>&1 | tail -1
BASTION=$ROOT/.build/debug/bastion
CONFIG=$ROOT/etc/bastion.yaml

mkdir -p "$DEMO/target" "$DEMO/state"
chmod 700 "$DEMO" "$DEMO/state"
cd "$DEMO"

# The demo account on the target (the bastion logs in as it with a vaulted key).
if ! id bastion-demo >/dev/null 2>&1; then
  echo "==> creating local account bastion-demo (the demo target's user)"
  $SUDO useradd -m -s /bin/bash bastion-demo
fi
$SUDO usermod -p '*' bastion-demo   # Debian locks new accounts; sshd refuses key logins to locked ones

if [ ! -f user_ca ]; then
  echo "==> demo user CA and certificates"
  ssh-keygen -q -t ed25519 -N '' -C "demo user CA" -f user_ca
  for who in alice:engineering bob:dba carol:sre-approvers; do
    name=${who%%:*}; groups=${who#*:}
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$name"
    ssh-keygen -q -s user_ca -I "$name@example.com" -n "$name" -V -5m:+30d \
      -O "extension:groups@bastion=$groups" "$name.pub"
  done
fi

if [ ! -f target/ssh_host_ed25519_key ]; then
  echo "==> demo target: host key, and a vault key it trusts"
  ssh-keygen -q -t ed25519 -N '' -C "demo target" -f target/ssh_host_ed25519_key
  ssh-keygen -q -t ed25519 -N '' -C "bastion-vault:demo-deploy" -f target/deploy_key
  "$BASTION" vault add demo-deploy --key-file target/deploy_key --config "$CONFIG" --replace >/dev/null
  rm -f target/deploy_key            # the private half now lives only in the vault
fi
# The target trusts the vault key for its account (sshd reads it as that user).
DEMO_HOME=$(getent passwd bastion-demo | cut -d: -f6)
$SUDO install -d -o bastion-demo -g bastion-demo -m 700 "$DEMO_HOME/.ssh"
$SUDO install -o bastion-demo -g bastion-demo -m 600 target/deploy_key.pub "$DEMO_HOME/.ssh/authorized_keys"

cat > target/sshd_config <<CFG
ListenAddress 127.0.0.1
Port 2201
HostKey $DEMO/target/ssh_host_ed25519_key
PidFile $DEMO/target/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
AllowUsers bastion-demo
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
CFG
$SUDO mkdir -p /run/sshd

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

echo "==> starting the demo target (sshd on 127.0.0.1:2201)"
$SUDO /usr/sbin/sshd -D -e -f "$DEMO/target/sshd_config" 2>"$DEMO/target/sshd.log" &
pids+=($!)

echo "==> starting the bastion (127.0.0.1:2222); its log: demo/bastion.log"
# The demo runs as you; as root it must say so (a real deployment runs as its own user:
# etc/bastion.service).
allow_root=(); [ "$(id -u)" -eq 0 ] && allow_root=(--allow-root)
"$BASTION" serve --config "$CONFIG" "${allow_root[@]}" 2>"$DEMO/bastion.log" &
pids+=($!)
for _ in $(seq 100); do
  [ -f state/host_ed25519_key ] && (exec 3<>/dev/tcp/127.0.0.1/2222) 2>/dev/null && break
  kill -0 "${pids[1]}" 2>/dev/null || { cat "$DEMO/bastion.log"; exit 1; }
  sleep 0.1
done
echo "[127.0.0.1]:2222 $(ssh-keygen -y -f state/host_ed25519_key)" > known_hosts

SSH="ssh -p 2222 -o UserKnownHostsFile=$DEMO/known_hosts"
cat <<MSG

The bastion is up. Try, from another terminal:

  $SSH -i $DEMO/alice -t alice@127.0.0.1 web1
      an interactive shell on web1 (alice is in group engineering)
  $SSH -i $DEMO/alice alice@127.0.0.1 web1 'uname -a; id'
      one command; then try: ... web1 'ls; rm -rf /'   (denied by the destructive guard)
  $SSH -i $DEMO/alice alice@127.0.0.1
      the targets alice may use
  $SSH -i $DEMO/bob bob@127.0.0.1 db1 'uptime'
      bob (group dba) has a strict, exec-only role on db1
  $SSH -i $DEMO/alice alice@127.0.0.1 web1 'systemctl restart cron'
      waits for an SRE's approval (it prints the request id); then, as carol (sre-approvers):
  $SSH -i $DEMO/carol carol@127.0.0.1 approvals
  $SSH -i $DEMO/carol carol@127.0.0.1 approvals show ID
  $SSH -i $DEMO/carol carol@127.0.0.1 approvals approve ID      (or: deny ID --reason TEXT)
  $SSH -i $DEMO/carol -t carol@127.0.0.1 watch SESSION              (follow alice's session live)
  sftp -P 2222 -o UserKnownHostsFile=$DEMO/known_hosts -i $DEMO/alice alice+web1@127.0.0.1
      file transfer: every operation decided (try: put README.md /tmp/  then  put README.md /etc/)
  rsync -a -e "ssh -p 2222 -o UserKnownHostsFile=$DEMO/known_hosts -i $DEMO/alice" docs/ alice+web1@127.0.0.1:/tmp/docs/
      rsync, decided on its paths (links leaving the tree are left out), its stream hashed

Audit and recordings:
  $BASTION audit sessions --config $CONFIG
  $BASTION audit commands --config $CONFIG
  $BASTION audit transfers --config $CONFIG
  $ROOT/.build/debug/bastion-play --list demo/state/recordings/<session>.cast

Ctrl-C stops the bastion and the target.
MSG
wait "${pids[1]}"
